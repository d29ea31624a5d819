import { randomUUID } from 'node:crypto'
import { createDatabase, migrateToLatest, parseTenant } from '@banditore/platform'
import { senderKeys, type TwilioSmsClient, type WhatsAppCloudClient } from '@banditore/providers'
import { createLeasedRateLimiter, DEFAULT_BROADCAST_SETTINGS, migrations, sendBatches, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, createTestDatabase, type TestDatabase } from '../harness/index.js'

const CAP = 20
const ROWS = 40
const tenant = parseTenant('borgo.json', {
  version: 1,
  id: 'borgo',
  name: 'Comune di Borgo',
  languages: ['it'],
  channels: { whatsapp: { phoneNumberId: '1097', number: '+393330000777', accessTokenEnv: 'WA_TOKEN', appSecretEnv: 'WA_SECRET', messagesPerSecond: CAP } },
  mode: 'unidirectional',
  signup: { doors: ['whatsapp'] },
  keywords: { subscribe: { it: ['ISCRIVIMI'] }, unsubscribe: { it: ['CANCELLAMI'] } },
  topics: [{ id: 'avvisi', names: { it: 'AVVISI' } }],
  texts: { it: {} },
  privacyPolicy: { it: 'Informativa.' },
  contacts: {},
})

/**
 * A broadcast batch is claimed (`sending`) before its sends wait for the number's cap, and the
 * reconcile rule for ambiguous sends counts its window from `sending_at`. That time must be when
 * each request left, or a batch held in the queue (behind an emergency, at a low cap) would be
 * judged by its claim, and a send made late could be resent while its status is still on its way.
 */
describe('a broadcast send is dated from when it left, not from its claim', () => {
  let database: TestDatabase
  let db: Kysely<WorkerDatabase>
  const { logger } = captureLogs('send-stamp-test', 'warn')

  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDatabase<WorkerDatabase>({ url: database.url, applicationName: 'send-stamp-test', max: 4 })
    await migrateToLatest(db, WORKER_SCHEMA, migrations)
  })
  afterAll(async () => {
    await db?.destroy()
    await database?.drop()
  })

  it(`spreads the send times of ${ROWS} rows claimed at once over the queue at ${CAP}/s`, async () => {
    const broadcastId = randomUUID()
    const { rows } = await sql<{ id: number; phone: string }>`
      insert into worker.send_ledger (broadcast_id, tenant, subscriber_id, phone, channel, language)
      select ${broadcastId}::uuid, 'borgo', gen_random_uuid()::text, '+3934700' || lpad(n::text, 5, '0'), 'whatsapp', 'it'
      from generate_series(1, ${ROWS}) n
      returning id, phone`.execute(db)
    // The provider at its I/O edge: it takes the request once the sender's rate limit lets it go.
    const whatsapp: WhatsAppCloudClient = {
      sendText: () => Promise.reject(new Error('not used')),
      sendMedia: () => Promise.reject(new Error('not used')),
      sendInteractive: () => Promise.reject(new Error('not used')),
      async sendTemplate(input) {
        await input.rateLimiter?.acquire(senderKeys.whatsapp('1097'), { priority: input.priority ?? 'routine' })
        return { provider: 'whatsapp-cloud', providerMessageId: `wamid.${input.to}`, to: input.to, correlation: input.correlation }
      },
    }
    const sms: TwilioSmsClient = { sendSms: () => Promise.reject(new Error('not used')) }
    const rateLimiter = createLeasedRateLimiter({ db, capOf: () => CAP, logger })
    const released = await sendBatches(
      { db, logger, whatsapp, sms, rateLimiter, secret: (name) => `secret:${name}`, smsStatusCallbackUrl: 'https://ingest.example/webhooks/sms/status' },
      { ...DEFAULT_BROADCAST_SETTINGS, batchSize: ROWS, sendConcurrency: ROWS, pipelineDepth: 1, pairIntervalMs: 0 },
      { broadcastId, tenant, content: { whatsapp: { templateName: 'avviso', variants: { it: { code: 'it', bodyParameters: ['via Roma'] } } } }, defaultLanguage: 'it' },
      [rows.map((r) => ({ id: Number(r.id), subscriberId: 's', phone: r.phone, channel: 'whatsapp' as const, language: 'it', state: 'pending' as const, attempts: 0 }))],
      () => undefined,
    )
    expect(released).toEqual([])
    const { rows: ledger } = await sql<{ state: string; sending_at: Date; accepted_at: Date }>`
      select state, sending_at, accepted_at from worker.send_ledger where broadcast_id = ${broadcastId}::uuid order by sending_at`.execute(db)
    expect(ledger.map((r) => r.state)).toEqual(Array(ROWS).fill('accepted'))
    // One claim for all of them; at 20/s the last request left about two seconds after the first.
    // Stamped at their slots, the send times spread over the queue (more than half of it, so a
    // busy machine's late timers cannot make this fail); stamped at the claim, they would not.
    const spreadMs = ledger.at(-1)!.sending_at.getTime() - ledger[0]!.sending_at.getTime()
    expect(spreadMs).toBeGreaterThan(((ROWS - 1) * 1000) / CAP / 2)
    // Never after the answer: each was stamped before its outcome was written.
    for (const row of ledger) expect(row.sending_at.getTime()).toBeLessThanOrEqual(row.accepted_at.getTime())
  })
})
