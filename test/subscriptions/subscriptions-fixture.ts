import { fileURLToPath } from 'node:url'
import {
  Consumers,
  OutboundReplyContract,
  Streams,
  Subjects,
  SubscriptionChangedContract,
  type DeliveryStatus,
  type InboundMessage,
  type ModerationAction,
  type ModerationVerdict,
  type OutboundReply,
  type SubscriptionChanged,
} from '@banditore/contracts'
import { InMemorySenderHistoryStore, servePrivacyExports } from '@banditore/moderation'
import { DurablePublisher, hashApiTokenSecret, migrateToLatest, openStaffApiTokenBucket, putStaffApiToken, type TenantDirectory } from '@banditore/platform'
import {
  buildSubscriptionsService,
  SCHEMA,
  type ConsentRecord,
  type Subscriber,
  type SubscriptionsDatabase,
  type SubscriptionsService,
} from '@banditore/subscriptions'
import { migrations as workerMigrations, startWorkerProgressResponder, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Kysely, RawBuilder } from 'kysely'
import { startWorld, type CapturedLogs, type TestDatabase, type TestNatsServer, type World } from '../harness/index.js'

export const tenantsDir = fileURLToPath(new URL('../../tenants', import.meta.url))
export const STAFF_TOKEN = 'all-tenants-staff-token-0123456789'
export const ANCONA_TOKEN = 'ancona-urp-staff-token-0123456789'
const encoder = new TextEncoder()

/** What the tests read of an injected staff API response. */
export interface StaffResponse {
  statusCode: number
  headers: Record<string, string | string[] | number | undefined>
  json(): unknown
}

export interface MessageInput {
  from: string
  text?: string
  channel?: InboundMessage['channel']
  type?: InboundMessage['type']
  interactive?: InboundMessage['interactive']
  form?: Record<string, unknown>
  media?: InboundMessage['media']
}

/**
 * The subscriptions service as production defines it, in a test world of its own (private
 * nats-server, fresh database), with a settable clock; publishes what ingest and moderation
 * would and reads back what the service published.
 */
export class SubscriptionsFixture {
  private sequence = 0
  private readonly cursors = new Map<string, number>()

  private constructor(
    readonly world: World,
    readonly jsm: JetStreamManager,
    readonly pool: Kysely<SubscriptionsDatabase>,
    readonly service: SubscriptionsService,
    private readonly clock: { now: Date },
    private readonly elsewhere: { stop(): Promise<void> },
  ) {}

  get nats(): TestNatsServer {
    return this.world.nats
  }
  get database(): TestDatabase {
    return this.world.database
  }
  get nc(): NatsConnection {
    return this.world.nc
  }
  get tenants(): TenantDirectory {
    return this.world.tenants
  }
  get logs(): CapturedLogs {
    return this.world.logs
  }
  get db(): Kysely<SubscriptionsDatabase> {
    return this.pool.withSchema(SCHEMA)
  }
  /** The service's clock. */
  get now(): Date {
    return this.clock.now
  }
  set now(value: Date) {
    this.clock.now = value
  }

  static async start(startAt = '2026-03-10T09:30:00Z'): Promise<SubscriptionsFixture> {
    const clock = { now: new Date(startAt) }
    let service: SubscriptionsService | undefined
    const world = await startWorld({
      services: [
        {
          name: 'subscriptions',
          // Production's definition, its service built with the fixture's clock (and kept, for its jobs).
          definition: (production) => ({
            ...production,
            async start({ config, logger, tenants, db, nc }) {
              service = await buildSubscriptionsService(config, { logger, nc, db: db.withSchema(SCHEMA), tenants, clock: () => clock.now })
              return { http: service.app }
            },
          }),
        },
      ],
      tenantsDir,
      simulator: false,
      env: { SUBSCRIBER_HASH_KEY: 'test-hash-key-test-hash-key-test-hash-key', OUTBOX_RELAY_INTERVAL_MS: '200' },
      // API tokens as the broadcast service (their owner) mirrors them into the bucket.
      async beforeServices({ nc }) {
        const tokens = await openStaffApiTokenBucket(nc)
        await putStaffApiToken(tokens, hashApiTokenSecret(STAFF_TOKEN), { id: 'fixture-urp', tenant: null, role: 'admin', holder: 'urp', label: 'URP, every tenant' })
        await putStaffApiToken(tokens, hashApiTokenSecret(ANCONA_TOKEN), { id: 'fixture-ancona-urp', tenant: 'ancona', role: 'desk', holder: 'ancona-urp', label: 'URP Ancona' })
      },
    })
    const pool = world.openDatabase<SubscriptionsDatabase>({ applicationName: 'subscriptions-test' })
    // A privacy export asks the worker and moderation too: their real responders, over their own
    // (here empty) data, as those services run them.
    const workerDb = world.openDatabase<WorkerDatabase>({ applicationName: 'worker-responder-test', max: 2 })
    await migrateToLatest(workerDb, WORKER_SCHEMA, workerMigrations)
    const worker = startWorkerProgressResponder({ nc: world.nc, db: workerDb, logger: world.logs.logger })
    const moderation: Subscription = servePrivacyExports({ nc: world.nc, senders: new InMemorySenderHistoryStore(), logger: world.logs.logger })
    let stopped: Promise<void> | undefined
    const elsewhere = { stop: () => (stopped ??= Promise.all([worker.stop(), moderation.drain()]).then(() => undefined)) }
    return new SubscriptionsFixture(world, await jetstreamManager(world.nc), pool, service!, clock, elsewhere)
  }

  /** Stops the worker's and moderation's responders: what a privacy export meets when those services are down. */
  async stopOtherServices(): Promise<void> {
    await this.elsewhere.stop()
  }

  async close(): Promise<void> {
    await this.elsewhere.stop()
    await this.world.stop()
  }

  /** Moves the service's clock. */
  at(iso: string): void {
    this.now = new Date(iso)
  }

  advanceHours(hours: number): void {
    this.now = new Date(this.now.getTime() + hours * 3_600_000)
  }

  /** An InboundMessage as ingest normalizes it, received now. */
  message(tenant: string, input: MessageInput): InboundMessage {
    const n = ++this.sequence
    const channel = input.channel ?? 'whatsapp'
    const provider = ({ whatsapp: 'whatsapp-cloud', sms: 'sms-gateway', web: 'web-form', paper: 'paper-form' } as const)[channel]
    const t = this.tenants.get(tenant)!
    const providerMessageId = channel === 'whatsapp' ? `wamid.test${n}` : `SM${String(n).padStart(32, '0')}`
    return {
      version: 1,
      id: `${provider}:${providerMessageId}`,
      tenant,
      channel,
      provider,
      providerMessageId,
      from: input.from,
      to: channel === 'sms' ? t.channels.sms!.number : channel === 'whatsapp' ? t.channels.whatsapp!.number : `${tenant}-signup-form`,
      type: input.type ?? (input.form ? 'form' : 'text'),
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.interactive ? { interactive: input.interactive } : {}),
      ...(input.form ? { form: input.form } : {}),
      ...(input.media ? { media: input.media } : {}),
      sentAt: this.now.toISOString(),
      receivedAt: this.now.toISOString(),
    }
  }

  /** Publishes moderation's verdict on a message (as moderation would) and waits until it is handled. */
  async verdict(message: InboundMessage, action: ModerationAction = 'allow', msgId = message.id): Promise<void> {
    const verdict: ModerationVerdict = {
      version: 1,
      messageId: message.id,
      tenant: message.tenant,
      from: message.from,
      channel: message.channel,
      action,
      categories: action === 'allow' ? [] : ['offensive-language'],
      rules: action === 'allow' ? [] : ['offensive-language/insults'],
      rulesetVersion: 'sha256:0123456789abcdef',
      decidedAt: this.now.toISOString(),
      message,
    }
    await new DurablePublisher(this.nc).publish(Subjects.moderationVerdict(message.tenant), encoder.encode(JSON.stringify(verdict)), { msgId })
    await this.settle(message.tenant)
  }

  /** Sends a citizen's message through moderation (`allow` by default). */
  async send(tenant: string, input: MessageInput, action: ModerationAction = 'allow'): Promise<InboundMessage> {
    const message = this.message(tenant, input)
    await this.verdict(message, action)
    return message
  }

  async status(status: DeliveryStatus): Promise<void> {
    await new DurablePublisher(this.nc).publish(Subjects.inboundStatus(status.tenant), encoder.encode(JSON.stringify(status)), { msgId: status.id })
    await this.settle(status.tenant)
  }

  /** Waits until the tenant's consumers have nothing pending and the outbox is empty. */
  async settle(tenant: string): Promise<void> {
    // A plain loop, not expect.poll: it also runs in beforeAll. A bound on waiting, not a timing
    // assertion: generous, so a busy machine (or JetStream still recovering after a restart, whose
    // requests time out meanwhile) only makes it wait longer.
    const deadline = Date.now() + 30_000
    for (;;) {
      let state: string
      try {
        const verdicts = await this.jsm.consumers.info(Streams.moderation.name, Consumers.subscriptionsVerdicts(tenant).durable)
        const statuses = await this.jsm.consumers.info(Streams.inbound.name, Consumers.subscriptionsStatuses.durable)
        const outbox = await this.db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
        const busy = verdicts.num_pending + verdicts.num_ack_pending + statuses.num_pending + statuses.num_ack_pending + Number(outbox.n)
        if (busy === 0) return
        state = `${busy} pending`
      } catch (error) {
        state = `JetStream did not answer: ${error instanceof Error ? error.message : String(error)}`
      }
      if (Date.now() > deadline) throw new Error(`subscriptions did not settle for ${tenant} within 30 s (${state})`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  private async readNew(stream: string, subjectPrefix: string): Promise<unknown[]> {
    const info = await this.jsm.streams.info(stream)
    const from = (this.cursors.get(stream) ?? 0) + 1
    const found: unknown[] = []
    for (let seq = Math.max(from, info.state.first_seq); seq <= info.state.last_seq; seq++) {
      const stored = await this.jsm.streams.getMessage(stream, { seq }).catch(() => null)
      if (stored && stored.subject.startsWith(subjectPrefix)) found.push(stored.json())
    }
    this.cursors.set(stream, info.state.last_seq)
    return found
  }

  /** OutboundReply messages published since the last call, validated against the contract. */
  async newReplies(): Promise<OutboundReply[]> {
    return (await this.readNew(Streams.outbound.name, 'outbound.reply.')).map((r) => OutboundReplyContract.parse(r))
  }

  /** SubscriptionChanged events published since the last call. */
  async newChanges(): Promise<SubscriptionChanged[]> {
    return (await this.readNew(Streams.subscriptions.name, 'subscription.changed.')).map((c) => SubscriptionChangedContract.parse(c))
  }

  async ledger(tenant: string, phone: string): Promise<ConsentRecord[]> {
    return await this.db.selectFrom('consent_ledger').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).orderBy('id').execute()
  }

  async subscriber(tenant: string, phone: string): Promise<Subscriber | undefined> {
    return await this.db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst()
  }

  /** A staff API call with a bearer token (all tenants by default). */
  async staff(method: 'GET' | 'POST', url: string, payload?: unknown, token: string | null = STAFF_TOKEN): Promise<StaffResponse> {
    return await this.service.app.inject({
      method,
      url,
      ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}),
      headers: token ? { authorization: `Bearer ${token}` } : {},
    })
  }

  /** Raw SQL on the service's database, for checks the repositories do not offer. */
  async query<R>(text: RawBuilder<R>) {
    return await text.execute(this.pool)
  }
}
