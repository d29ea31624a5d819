import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { OutboundReplyContract, Streams, Subjects, type OutboundReply } from '@banditore/contracts'
import { connectNats, createDatabase, DurablePublisher, ensureStreams, loadTenantDirectory, migrateToLatest, type RunningConsumer, type TenantDirectory } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import { startSimulator, type RunningSimulator } from '@banditore/provider-simulator'
import {
  createLeasedRateLimiter,
  createProviderReplySender,
  migrations,
  senderCapsOf,
  startReplySender,
  WORKER_SCHEMA,
  type WorkerDatabase,
} from '@banditore/workflows'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, createTestDatabase, startNatsServer, waitUntil, type TestDatabase, type TestNatsServer } from '../harness/index.js'

const SECRETS: Record<string, string> = { TEST_WA_TOKEN: 'test-access-token', TEST_SMS_SID: 'ACtest', TEST_SMS_TOKEN: 'test-auth-token' }
const NUMBER = '+393330000001'
/** The fixture's SMS cap, messages per second (tenants/testville.json beside this test). */
const SMS_CAP = 40

/**
 * The reply path without a workflow per reply: commands on OUTBOUND, the worker's reply sender,
 * the shared rate limit on PostgreSQL, the provider simulator. Replies to many citizens at once
 * go out in order per citizen, each once, at the number's cap, across a restart mid-burst.
 */
describe('reply sender', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  let sim: RunningSimulator
  let database: TestDatabase
  let db: Kysely<WorkerDatabase>
  let tenants: TenantDirectory
  const { logger, text } = captureLogs('worker', 'info')

  const startSender = () => {
    const rateLimiter = createLeasedRateLimiter({ db, capOf: (key) => senderCapsOf(tenants).get(key) ?? 80, logger })
    const sender = createProviderReplySender({
      tenants,
      whatsapp: createWhatsAppCloudClient({ baseUrl: sim.url }),
      sms: createTwilioSmsClient({ baseUrl: sim.url }),
      rateLimiter,
      secret: (name) => SECRETS[name] ?? '',
      smsStatusCallbackUrl: 'http://127.0.0.1:9/webhooks/sms/status',
    })
    return startReplySender({ nc, db, sender, logger, settings: { retryBaseMs: 100 } })
  }

  beforeAll(async () => {
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'reply-sender-test', logger })
    await ensureStreams(nc, [Streams.outbound, Streams.deadLetter])
    sim = await startSimulator({
      whatsapp: [{ phoneNumberId: '109000000000001', displayPhoneNumber: NUMBER, accessToken: SECRETS.TEST_WA_TOKEN! }],
      twilio: [{ accountSid: SECRETS.TEST_SMS_SID!, authToken: SECRETS.TEST_SMS_TOKEN!, numbers: [{ number: NUMBER }] }],
    })
    tenants = await loadTenantDirectory(fileURLToPath(new URL('./fixtures/tenants', import.meta.url)))
    database = await createTestDatabase()
    db = createDatabase<WorkerDatabase>({ url: database.url, applicationName: 'reply-sender-test', max: 10 })
    await migrateToLatest(db, WORKER_SCHEMA, migrations)
  })

  afterAll(async () => {
    await db?.destroy()
    await database?.drop()
    await nc?.drain()
    await sim?.stop()
    await nats?.dispose()
  })

  const publisher = () => new DurablePublisher(nc)
  const publish = async (reply: OutboundReply, msgId = reply.id) =>
    await publisher().publish(Subjects.outboundReply(reply.tenant), OutboundReplyContract.encode(reply), { msgId })
  const reply = (to: string, text: string, over: Partial<OutboundReply> = {}): OutboundReply => ({
    version: 1,
    id: randomUUID(),
    tenant: 'testville',
    channel: 'sms',
    to,
    text,
    lastInboundAt: new Date().toISOString(),
    requestedAt: new Date().toISOString(),
    ...over,
  })
  const citizens = (count: number, from: number) => Array.from({ length: count }, (_, i) => `+39347${String(from + i).padStart(7, '0')}`)
  const ledgerState = async (id: string) =>
    (await db.withSchema('worker').selectFrom('reply_ledger').select(['state', 'reason']).where('tenant', '=', 'testville').where('reply_id', '=', id).executeTakeFirst())

  /** Each citizen's confirmation then auto-reply: both arrive once, in that order. */
  const expectInOrderOnce = (phones: readonly string[], sent: ReadonlyMap<string, readonly OutboundReply[]>) => {
    for (const phone of phones) {
      const received = sim.messages({ to: phone })
      expect(received.map((m) => m.correlation)).toEqual(sent.get(phone)?.map((r) => `reply:testville:${r.id}`))
    }
  }

  it('sends a burst to many citizens in order per citizen, each once, within the number’s cap, across a restart mid-burst', async () => {
    const phones = citizens(120, 100)
    const sent = new Map(phones.map((phone) => [phone, [reply(phone, 'Iscrizione confermata.'), reply(phone, 'Grazie: riceverai gli avvisi del Comune.')]]))
    // Interleaved as a sign-up rush publishes them: every confirmation before its auto-reply.
    for (const phone of phones) await publish(sent.get(phone)![0]!)
    for (const phone of phones) await publish(sent.get(phone)![1]!)

    let sender: RunningConsumer = await startSender()
    // Stopped mid-burst (as the worker stops on SIGTERM): what it had not settled goes back to the stream.
    await waitUntil(() => sim.messages({ correlationPrefix: 'reply:testville:' }).length >= 60, { timeoutMs: 60_000, what: 'a first part of the burst' })
    await sender.stop()
    const before = sim.messages({ correlationPrefix: 'reply:testville:' }).length
    expect(before).toBeLessThan(240)
    sender = await startSender()
    try {
      await waitUntil(() => sim.messages({ correlationPrefix: 'reply:testville:' }).length >= 240, { timeoutMs: 120_000, what: 'every reply' })
      // And the ledger agrees: every reply accepted once.
      const accepted = async () => Number((await db.withSchema('worker').selectFrom('reply_ledger').select(db.fn.countAll().as('n')).where('state', '=', 'accepted').executeTakeFirst())?.n)
      await waitUntil(async () => (await accepted()) === 240, {
        what: 'every reply accepted in the ledger',
      })
    } finally {
      await sender.stop()
    }
    expect(sim.messages({ correlationPrefix: 'reply:testville:' })).toHaveLength(240)
    expect(sim.stats().record.duplicateCorrelations).toBe(0)
    expectInOrderOnce(phones, sent)
    // What we wrote never went past the number's cap in any second.
    const peak = sim.maxInWindow(1000, { provider: 'sms-gateway', sender: NUMBER })
    expect(Math.max(0, ...Object.values(peak))).toBeLessThanOrEqual(SMS_CAP)
    expect(Object.values(peak).length).toBeGreaterThan(0)
    // No citizen's number at info level.
    expect(text()).not.toContain(phones[0]!.slice(1))
  })

  it('dates a reply’s send from when it left, not from its claim before the queue for the number’s cap', async () => {
    // 160 replies at 40/s: the last ones wait seconds in the rate limit's queue after their claim.
    const batch = citizens(160, 5000).map((phone) => reply(phone, 'Segnalazione ricevuta.'))
    for (const r of batch) await publish(r)
    const sender = await startSender()
    try {
      await waitUntil(
        async () =>
          Number((await db.withSchema('worker').selectFrom('reply_ledger').select(db.fn.countAll().as('n'))
            .where('state', '=', 'accepted').where('reply_id', 'in', batch.map((r) => r.id)).executeTakeFirst())?.n) === batch.length,
        { timeoutMs: 120_000, what: 'the batch accepted in the ledger' },
      )
    } finally {
      await sender.stop()
    }
    const rows = await db.withSchema('worker').selectFrom('reply_ledger').select(['reply_id', 'sending_at'])
      .where('reply_id', 'in', batch.map((r) => r.id)).execute()
    const sentAt = new Map(rows.map((row) => [row.reply_id, new Date(row.sending_at!).getTime()]))
    const accepted = batch.map((r) => sim.messages({ correlation: `reply:testville:${r.id}` })[0]!.acceptedAt)
    const span = Math.max(...accepted) - Math.min(...accepted)
    // The burst took seconds at the cap; each reply's recorded send time is its own, not the burst's start.
    const lag = Math.max(...batch.map((r, i) => accepted[i]! - sentAt.get(r.id)!))
    expect(span).toBeGreaterThan(0)
    expect(lag).toBeLessThan(span / 2)
  })

  it('sends a command published twice once, and records a reply the provider refuses for good without sending it', async () => {
    const phone = citizens(1, 900)[0]!
    const command = reply(phone, 'Sei iscritto al servizio SMS.')
    const refused = reply(phone, 'Testo libero fuori finestra.', { channel: 'whatsapp', lastInboundAt: new Date(Date.now() - 25 * 3600_000).toISOString() })
    const after = reply(phone, 'Dopo il rifiuto.')
    await publish(command)
    // Past JetStream's dedupe (a new msg id): only the ledger stops it.
    await publish(command, `${command.id}-again`)
    await publish(refused)
    await publish(after)
    const sender = await startSender()
    try {
      await waitUntil(async () => (await ledgerState(after.id))?.state === 'accepted', { timeoutMs: 60_000, what: 'the reply after the refused one' })
      await waitUntil(async () => (await ledgerState(command.id))?.state === 'accepted', { what: 'the command published twice' })
    } finally {
      await sender.stop()
    }
    expect(await ledgerState(refused.id)).toMatchObject({ state: 'failed', reason: 'OUTSIDE_CUSTOMER_SERVICE_WINDOW' })
    expect(sim.messages({ to: phone }).map((m) => m.correlation)).toEqual([`reply:testville:${command.id}`, `reply:testville:${after.id}`])
  })
})
