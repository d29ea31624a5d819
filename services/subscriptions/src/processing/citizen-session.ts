import type { InboundMessage, OutboundInteractive, OutboundReply, SubscriptionChanged } from '@banditore/contracts'
import type { Kysely } from 'kysely'
import type { PhoneHasher } from '../privacy/phone-hash.js'
import { appendConsent } from '../repositories/consent-ledger.repository.js'
import { enqueueChange, enqueueReply } from '../repositories/outbox.repository.js'
import { ensureSubscriber, findSubscriber, lockCitizen, rememberBsuid, resolveCitizenAddress, updateSubscriber, type SubscriberPatch } from '../repositories/subscriber.repository.js'
import type { ConsentRecordInput } from '../repositories/consent-ledger.repository.js'
import type { SendChannel, Subscriber, SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { renderText, type TextKey, type TextValues } from '../tenant/tenant-texts.js'

export type ChangeKind = SubscriptionChanged['change']

export interface SessionOrigin {
  /** The citizen's message being handled, when there is one (not for staff actions). */
  message?: InboundMessage
  /** `citizen`, `staff:<id>`, `provider`, `system`. */
  actor: string
  /** Base of reply ids when there is no message (an import row: `import:<id>:<line>`), so each citizen's replies get distinct ids. */
  replyBase?: string
}

/**
 * Everything that happens to one citizen of one tenant inside one transaction: the citizen is
 * locked first, state changes bump the change sequence and queue a SubscriptionChanged, replies
 * and events go to the outbox, consent events to the ledger. Nothing leaves before commit.
 */
export class CitizenSession {
  private row: Subscriber | undefined
  /** Replies queued in this session, by purpose (tests and logs read them). */
  readonly replies: OutboundReply[] = []

  private constructor(
    readonly trx: Kysely<SubscriptionsDatabase>,
    readonly profile: TenantProfile,
    readonly phone: string,
    readonly now: Date,
    readonly origin: SessionOrigin,
    private readonly hashPhone: PhoneHasher,
  ) {}

  static async open(
    trx: Kysely<SubscriptionsDatabase>,
    profile: TenantProfile,
    phone: string,
    now: Date,
    origin: SessionOrigin,
    hashPhone: PhoneHasher,
  ): Promise<CitizenSession> {
    // A WhatsApp citizen may come by number, by number and BSUID, or by BSUID alone (a username):
    // the same citizen is found under whichever address they were first stored by.
    const fromUserId = origin.message?.fromUserId
    const address = await resolveCitizenAddress(trx, profile.id, phone, fromUserId)
    await lockCitizen(trx, profile.id, address)
    const session = new CitizenSession(trx, profile, address, now, origin, hashPhone)
    session.row = await findSubscriber(trx, profile.id, address)
    if (session.row && fromUserId) session.row = await rememberBsuid(trx, session.row, fromUserId)
    return session
  }

  get tenant(): string {
    return this.profile.id
  }

  get phoneHash(): string {
    return this.hashPhone(this.tenant, this.phone)
  }

  /** The stored row, if the citizen is known. */
  get subscriber(): Subscriber | undefined {
    return this.row
  }

  get isActive(): boolean {
    return this.row?.status === 'active'
  }

  get isBlocked(): boolean {
    return Boolean(this.row?.blocked_at)
  }

  /** The citizen's row, created as an inactive (never subscribed) citizen when new. */
  async ensure(language: string, channel: SendChannel): Promise<Subscriber> {
    this.row ??= await ensureSubscriber(this.trx, {
      tenant: this.tenant,
      phone: this.phone,
      phoneHash: this.phoneHash,
      ...(this.origin.message?.fromUserId ? { bsuid: this.origin.message.fromUserId } : {}),
      language,
      channel,
      now: this.now,
    })
    return this.row
  }

  /** Updates the row without an event (bookkeeping: last inbound, auto-reply time). */
  async touch(patch: SubscriberPatch): Promise<void> {
    if (!this.row) return
    this.row = await updateSubscriber(this.trx, this.row.id, { ...patch, updated_at: this.now }, false)
  }

  /** Updates the row and queues the SubscriptionChanged event that announces it. */
  async change(kind: ChangeKind, patch: SubscriberPatch): Promise<void> {
    if (!this.row) throw new Error('change() needs the citizen row; call ensure() first')
    this.row = await updateSubscriber(this.trx, this.row.id, { ...patch, updated_at: this.now }, true)
    const row = this.row
    await enqueueChange(
      this.trx,
      {
        version: 1,
        id: `${row.id}:${row.change_seq}`,
        tenant: this.tenant,
        subscriberId: row.id,
        phone: row.phone,
        change: kind,
        channel: row.channel,
        topics: this.allTopicsOf(row),
        language: row.language,
        occurredAt: this.now.toISOString(),
      },
      this.now,
    )
  }

  /** The topics a subscriber receives, always-on ones included. */
  allTopicsOf(row: Subscriber): string[] {
    return this.profile.topics.filter((t) => t.alwaysOn || row.topics.includes(t.id)).map((t) => t.id)
  }

  /** Appends to the tenant's consent chain, with the provider's proof when a signed webhook carried the message. */
  async recordConsent(
    record: Omit<ConsentRecordInput, 'tenant' | 'subscriber_id' | 'phone' | 'phone_hash' | 'actor' | 'inbound_message_id' | 'webhook_body_sha256' | 'webhook_signature'> & {
      inbound_message_id?: string | null
      actor?: string
    },
  ): Promise<void> {
    if (!this.row) throw new Error('recordConsent() needs the citizen row; call ensure() first')
    const webhook = this.origin.message?.webhook
    await appendConsent(
      this.trx,
      {
        tenant: this.tenant,
        subscriber_id: this.row.id,
        phone: this.phone,
        phone_hash: this.phoneHash,
        actor: this.origin.actor,
        inbound_message_id: this.origin.message?.id ?? null,
        webhook_body_sha256: webhook?.bodySha256 ?? null,
        webhook_signature: webhook?.signature ?? null,
        ...record,
      },
      this.hashPhone,
    )
  }

  /** The channel replies go out on: the one the citizen wrote through, when it can carry a reply. */
  replyChannel(): SendChannel {
    const channel = this.origin.message?.channel
    if (channel === 'whatsapp' || channel === 'sms') return channel
    return this.profile.confirmationRequestChannel()
  }

  /** The reply id for a purpose: derived from the inbound message, so a retry queues the same id. */
  replyId(purpose: string): string {
    const base = this.origin.message?.id ?? this.origin.replyBase ?? `${this.origin.actor}:${this.now.getTime()}`
    return `${base}:${purpose}`
  }

  /** Queues a tenant text, rendered in `language`. Returns the reply id, or undefined when the tenant has no such text. */
  async replyWith(
    purpose: string,
    key: TextKey,
    language: string,
    values: TextValues = {},
    channel?: SendChannel,
    template?: OutboundReply['template'],
    interactive?: OutboundInteractive,
  ): Promise<string | undefined> {
    const text = renderText(this.profile.tenant, language, key, values)
    if (!text) return undefined
    return await this.replyText(purpose, text, channel, template, interactive)
  }

  /**
   * Queues a reply. `interactive` goes with it only on WhatsApp in answer to the citizen's own
   * message there (inside the window): `text` stays its plain-text form for every other case.
   */
  async replyText(
    purpose: string,
    text: string,
    channel: SendChannel = this.replyChannel(),
    template?: OutboundReply['template'],
    interactive?: OutboundInteractive,
  ): Promise<string> {
    const message = this.origin.message
    const wroteOnIt = message && message.channel === channel
    const withInteractive = interactive && wroteOnIt && channel === 'whatsapp' ? interactive : undefined
    const reply: OutboundReply = {
      // 2 only when it carries what 1 cannot, so older workers keep reading the rest.
      version: withInteractive ? 2 : 1,
      id: this.replyId(purpose),
      tenant: this.tenant,
      channel,
      to: this.phone,
      text,
      // The 24-hour window is opened by the citizen's own message on this channel.
      ...(wroteOnIt ? { inReplyTo: message.id, lastInboundAt: message.receivedAt } : {}),
      ...(template && channel === 'whatsapp' ? { template } : {}),
      ...(withInteractive ? { interactive: withInteractive } : {}),
      requestedAt: this.now.toISOString(),
    }
    await enqueueReply(this.trx, reply, this.now)
    this.replies.push(reply)
    return reply.id
  }
}
