import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Consumers, OutboundReplyContract, Streams, Subjects, type OutboundReply } from '@banditore/contracts'
import { connectNats, createDatabase, DurablePublisher, ensureStreams, loadTenantDirectory, migrateToLatest, type RunningConsumer } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import { startSimulator, type RunningSimulator } from '@banditore/provider-simulator'
import { TokenBucketRateLimiter } from '@banditore/providers/testing'
import { createProviderReplySender, migrations, startReplySender, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '../harness/index.js'

const secrets: Record<string, string> = {
  TEST_WA_TOKEN: 'test-access-token',
  TEST_WA_SECRET: 'test-app-secret',
  TEST_SMS_SID: 'ACtest',
  TEST_SMS_TOKEN: 'test-auth-token',
}
const citizen = '+393471234567'

/**
 * The foundation's path end to end: a service publishes a reply command on JetStream, the
 * worker's reply sender consumes it, records it in the reply ledger and sends it through the
 * provider adapter to the simulator.
 */
describe('reply pipeline: JetStream → worker → provider', () => {
  let nats: TestNatsServer
  let nc: NatsConnection
  let sim: RunningSimulator
  let dispatch: RunningConsumer
  let database: TestDatabase
  let db: Kysely<WorkerDatabase>
  const { logger } = captureLogs('worker')

  beforeAll(async () => {
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'reply-pipeline-test', logger })
    await ensureStreams(nc, [Streams.outbound, Streams.deadLetter])
    sim = await startSimulator({
      whatsapp: [{ phoneNumberId: '109000000000001', displayPhoneNumber: '+393330000001', accessToken: secrets.TEST_WA_TOKEN! }],
      twilio: [{ accountSid: secrets.TEST_SMS_SID!, authToken: secrets.TEST_SMS_TOKEN!, numbers: [{ number: '+393330000001' }] }],
    })
    const tenants = await loadTenantDirectory(fileURLToPath(new URL('./fixtures/tenants', import.meta.url)))
    const sender = createProviderReplySender({
      tenants,
      whatsapp: createWhatsAppCloudClient({ baseUrl: sim.url }),
      sms: createTwilioSmsClient({ baseUrl: sim.url }),
      rateLimiter: new TokenBucketRateLimiter({ ratePerSecond: 80 }),
      secret: (name) => secrets[name] ?? '',
      smsStatusCallbackUrl: 'http://127.0.0.1:9/webhooks/sms/status',
    })
    database = await createTestDatabase()
    db = createDatabase<WorkerDatabase>({ url: database.url, applicationName: 'reply-pipeline-test' })
    await migrateToLatest(db, WORKER_SCHEMA, migrations)
    dispatch = await startReplySender({ nc, db, sender, logger })
  })

  afterAll(async () => {
    await dispatch?.stop()
    await db?.destroy()
    await database?.drop()
    await nc?.drain()
    await sim?.stop()
    await nats?.dispose()
  })

  const publish = async (reply: OutboundReply) =>
    await new DurablePublisher(nc).publish(Subjects.outboundReply(reply.tenant), OutboundReplyContract.encode(reply), { msgId: reply.id })

  const ledger = async (id: string) =>
    await db.withSchema('worker').selectFrom('reply_ledger').select(['state', 'reason']).where('tenant', '=', 'testville').where('reply_id', '=', id).executeTakeFirst()

  const reply = (over: Partial<OutboundReply>): OutboundReply => ({
    version: 1,
    id: randomUUID(),
    tenant: 'testville',
    channel: 'whatsapp',
    to: citizen,
    text: 'Iscrizione confermata.',
    lastInboundAt: new Date().toISOString(),
    requestedAt: new Date().toISOString(),
    ...over,
  })

  it('delivers a WhatsApp reply to the provider exactly once, even when the command is published again', async () => {
    const command = reply({})
    await publish(command)
    await expect.poll(async () => (await ledger(command.id))?.state, { timeout: 30_000 }).toBe('accepted')
    // The same command again, past JetStream's dedupe (new msg id): the reply ledger stops it.
    const again = await new DurablePublisher(nc).publish(Subjects.outboundReply('testville'), OutboundReplyContract.encode(command), {
      msgId: `${command.id}-again`,
    })
    // Handled (and acknowledged) by the dispatch: whatever it was going to do, it has done.
    const jsm = await jetstreamManager(nc)
    await expect
      .poll(
        async () => {
          const info = await jsm.consumers.info(Streams.outbound.name, Consumers.workerReplies.durable)
          return info.ack_floor.stream_seq >= again.seq && info.num_ack_pending === 0
        },
        { timeout: 30_000 },
      )
      .toBe(true)
    const sent = sim.messages({ correlation: `reply:testville:${command.id}` })
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ provider: 'whatsapp-cloud', to: citizen })
    expect(sent[0]?.text).toBe('Iscrizione confermata.')
  })

  it('sends an SMS reply through the gateway', async () => {
    const command = reply({ channel: 'sms', text: 'Sei iscritto al servizio SMS.' })
    await publish(command)
    await expect.poll(() => sim.messages({ correlation: `reply:testville:${command.id}` }).length, { timeout: 30_000 }).toBe(1)
    expect(sim.messages({ correlation: `reply:testville:${command.id}` })[0]).toMatchObject({ provider: 'sms-gateway', to: citizen })
  })

  it('refuses WhatsApp free text outside the 24-hour window without sending anything', async () => {
    const command = reply({ lastInboundAt: new Date(Date.now() - 25 * 3600_000).toISOString() })
    await publish(command)
    await expect.poll(async () => (await ledger(command.id))?.state, { timeout: 30_000 }).toBe('failed')
    expect(await ledger(command.id)).toMatchObject({ reason: 'OUTSIDE_CUSTOMER_SERVICE_WINDOW' })
    expect(sim.messages({ correlation: `reply:testville:${command.id}` })).toHaveLength(0)
  })

  const menu: NonNullable<OutboundReply['interactive']> = {
    kind: 'list',
    header: 'Comune di Testville',
    body: 'Scegli dal menu i temi che vuoi ricevere.',
    button: 'Scegli i temi',
    sections: [{ rows: [{ id: 'topics:all', title: 'Tutti i temi' }, { id: 'topics:eventi', title: 'EVENTI', description: 'Solo questo tema' }] }],
  }

  it('sends a version-2 reply with an interactive list as the list, inside the window', async () => {
    const command = reply({ version: 2, text: 'I temi disponibili sono EVENTI.', interactive: menu })
    await publish(command)
    await expect.poll(async () => (await ledger(command.id))?.state, { timeout: 30_000 }).toBe('accepted')
    const sent = sim.messages({ correlation: `reply:testville:${command.id}` })
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ type: 'interactive', interactive: { type: 'list', action: { button: 'Scegli i temi', sections: [{ rows: [{ id: 'topics:all' }, { id: 'topics:eventi' }] }] } } })
  })

  it('falls back to the text form when WhatsApp refuses the interactive message (131026)', async () => {
    sim.setFaults({ rules: [{ action: 'error', errorCode: 131026, rate: 1, count: 1 }] })
    try {
      const command = reply({ version: 2, text: 'I temi disponibili sono EVENTI.', interactive: menu })
      await publish(command)
      await expect.poll(async () => (await ledger(command.id))?.state, { timeout: 30_000 }).toBe('accepted')
      const sent = sim.messages({ correlation: `reply:testville:${command.id}` })
      expect(sent.map((m) => [m.type, m.text])).toEqual([['text', 'I temi disponibili sono EVENTI.']])
    } finally {
      sim.clearFaults()
    }
  })

  it('sends the text form on SMS', async () => {
    const command = reply({ version: 2, channel: 'sms', text: 'I temi disponibili sono EVENTI.', interactive: menu })
    await publish(command)
    await expect.poll(() => sim.messages({ correlation: `reply:testville:${command.id}` }).length, { timeout: 30_000 }).toBe(1)
    expect(sim.messages({ correlation: `reply:testville:${command.id}` })[0]).toMatchObject({ provider: 'sms-gateway', text: 'I temi disponibili sono EVENTI.' })
  })
})
