import { createHash } from 'node:crypto'
import { ReviewActionSchema, type ModerationVerdict } from '@banditore/contracts'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import Type, { type Static } from 'typebox'
import { Compile } from 'typebox/compile'

/** One message the rules sent to `review`, as the queue keeps it. */
export const ReviewItemSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** Stable id of the item: a hash of the message id (URL- and key-safe). */
    id: Type.String(),
    tenant: Type.String(),
    messageId: Type.String(),
    channel: Type.String(),
    /** The sender's number, shown masked; never logged. */
    from: Type.String(),
    text: Type.String(),
    receivedAt: Type.String(),
    decidedAt: Type.String(),
    categories: Type.Array(Type.String()),
    rules: Type.Array(Type.String()),
    rulesetVersion: Type.String(),
    decision: Type.Optional(
      Type.Object(
        {
          action: ReviewActionSchema,
          /** The audit trail's actor. */
          by: Type.String(),
          at: Type.String(),
          reason: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type ReviewItem = Static<typeof ReviewItemSchema>
const itemCheck = Compile(ReviewItemSchema)

/** A decision on an item that already has one: the first decision stands. */
export class ReviewAlreadyDecidedError extends Error {
  readonly code = 'REVIEW_ALREADY_DECIDED'
  constructor(readonly item: ReviewItem) {
    super(`il messaggio è già stato deciso (${item.decision?.action}) da ${item.decision?.by}`)
    this.name = 'ReviewAlreadyDecidedError'
  }
}

const itemIdOf = (messageId: string) => createHash('sha256').update(messageId, 'utf8').digest('hex').slice(0, 32)
const keyOf = (tenant: string, id: string) => `${tenant}.${id}`

/** Masks a number for the screen: the country code and the last three digits (`+39 ••• 567`). */
export function maskedNumber(from: string): string {
  return from.length > 6 ? `${from.slice(0, 3)} ••• ${from.slice(-3)}` : '•••'
}

/**
 * The review queue: every message the rules sent to `review`, per tenant, in the NATS KV bucket
 * moderation-review (moderation writes it before it publishes the verdict, so a redelivered
 * message is queued once). The desk keeps only the messages of desk tenants' subscribers inside
 * office hours, so it cannot be the queue. A decision (allow, delete, block sender) is written
 * with compare-and-set: who, when and why, once.
 */
export class ReviewQueue {
  constructor(private readonly bucket: KV) {}

  static async open(nc: NatsConnection, bucket: string, replicas = 1): Promise<ReviewQueue> {
    return new ReviewQueue(await new Kvm(nc).create(bucket, { history: 5, replicas, description: 'Messages the moderation rules sent to review' }))
  }

  /** Queues a `review` verdict; a second call for the same message changes nothing. */
  async add(verdict: ModerationVerdict): Promise<void> {
    const id = itemIdOf(verdict.messageId)
    const item: ReviewItem = {
      version: 1,
      id,
      tenant: verdict.tenant,
      messageId: verdict.messageId,
      channel: verdict.channel,
      from: verdict.from,
      text: verdict.message.text ?? verdict.message.interactive?.title ?? '',
      receivedAt: verdict.message.receivedAt,
      decidedAt: verdict.decidedAt,
      categories: [...verdict.categories],
      rules: [...verdict.rules],
      rulesetVersion: verdict.rulesetVersion,
    }
    try {
      await this.bucket.create(keyOf(verdict.tenant, id), JSON.stringify(item))
    } catch (error) {
      // Already queued (a redelivery): the stored item, maybe decided, stays.
      if ((await this.bucket.get(keyOf(verdict.tenant, id)))?.operation === 'PUT') return
      throw error
    }
  }

  /** A tenant's items that `keep` accepts, oldest first. */
  private async scan(tenant: string, keep: (item: ReviewItem) => boolean): Promise<ReviewItem[]> {
    const items: ReviewItem[] = []
    for await (const key of await this.bucket.keys(`${tenant}.*`)) {
      const entry = await this.bucket.get(key)
      if (!entry || entry.operation !== 'PUT') continue
      const value: unknown = entry.json()
      if (itemCheck.Check(value) && keep(value)) items.push(value)
    }
    return items.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt) || a.id.localeCompare(b.id))
  }

  /** A tenant's items, oldest first: the pending ones, or (`decided`) those already decided. */
  async list(tenant: string, options: { decided: boolean }): Promise<ReviewItem[]> {
    return await this.scan(tenant, (item) => (item.decision !== undefined) === options.decided)
  }

  /** Every item of the sender (pending or decided), oldest first: a privacy export. */
  async itemsOf(tenant: string, from: string): Promise<ReviewItem[]> {
    return await this.scan(tenant, (item) => item.from === from)
  }

  /**
   * Erasure: every item of the sender (pending or decided) is purged with its history, since
   * each holds the number and the text. Returns how many went.
   */
  async forget(tenant: string, from: string): Promise<number> {
    const items = await this.itemsOf(tenant, from)
    for (const item of items) await this.bucket.purge(keyOf(tenant, item.id))
    return items.length
  }

  /** Records a decision; undefined when the tenant has no such item. */
  async decide(tenant: string, id: string, decision: NonNullable<ReviewItem['decision']>): Promise<ReviewItem | undefined> {
    if (!/^[0-9a-f]{32}$/.test(id)) return undefined
    const entry = await this.bucket.get(keyOf(tenant, id))
    if (!entry || entry.operation !== 'PUT') return undefined
    const item: unknown = entry.json()
    if (!itemCheck.Check(item)) return undefined
    if (item.decision) throw new ReviewAlreadyDecidedError(item)
    const decided: ReviewItem = { ...item, decision }
    try {
      await this.bucket.update(keyOf(tenant, id), JSON.stringify(decided), entry.revision)
    } catch (error) {
      const now = await this.bucket.get(keyOf(tenant, id))
      const current: unknown = now?.operation === 'PUT' ? now.json() : undefined
      if (itemCheck.Check(current) && current.decision) throw new ReviewAlreadyDecidedError(current)
      throw error
    }
    return decided
  }
}
