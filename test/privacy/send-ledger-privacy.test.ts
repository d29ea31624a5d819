import { randomUUID } from 'node:crypto'
import { createDatabase, migrateToLatest } from '@banditore/platform'
import { createNumberPseudonymizer, eraseNumber, migrations, SendLedgerRetentionJob, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { captureLogs, createTestDatabase, type TestDatabase } from '../harness/index.js'

const KEY = 'send-ledger-privacy-test-key-0123456789abcdef'
const pseudonymise = createNumberPseudonymizer(KEY)
const DAY_MS = 86_400_000

/**
 * The worker's copies of numbers against real PostgreSQL: send-ledger retention replaces the
 * numbers of settled sends in finished runs with the keyed hash and keeps everything else;
 * erasure does the same at once for one number, skips its pending sends and drops its pacing.
 */
describe('the send ledger forgets numbers', () => {
  let database: TestDatabase
  let db: Kysely<WorkerDatabase>
  const { logger } = captureLogs('send-ledger-privacy-test', 'warn')
  const now = new Date('2026-09-01T10:00:00Z')
  const daysAgo = (days: number) => new Date(now.getTime() - days * DAY_MS)

  const run = async (state: 'completed' | 'sending', finishedAt: Date | null) => {
    const id = randomUUID()
    await sql`insert into worker.broadcast_run (broadcast_id, tenant, state, finished_at) values (${id}::uuid, 'ancona', ${state}, ${finishedAt})`.execute(db)
    return id
  }
  const send = async (broadcastId: string, phone: string, state: string, updatedAt: Date, subscriberId: string = randomUUID()) => {
    const { rows } = await sql<{ id: string }>`
      insert into worker.send_ledger (broadcast_id, tenant, subscriber_id, phone, channel, language, state, provider_message_id, updated_at)
      values (${broadcastId}::uuid, 'ancona', ${subscriberId}, ${phone}, 'whatsapp', 'it', ${state}, ${`wamid.${randomUUID()}`}, ${updatedAt})
      returning id`.execute(db)
    return rows[0]!.id
  }
  const row = async (id: string) =>
    (await sql<{ phone: string; state: string; reason: string | null; subscriber_id: string; provider_message_id: string }>`select * from worker.send_ledger where id = ${id}`.execute(db)).rows[0]!

  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDatabase<WorkerDatabase>({ url: database.url, applicationName: 'send-ledger-privacy-test', max: 4 })
    await migrateToLatest(db, WORKER_SCHEMA, migrations)
  })
  afterAll(async () => {
    await db?.destroy()
    await database?.drop()
  })

  it('replaces the numbers of settled sends past retention in finished runs, and nothing else', async () => {
    const old = await run('completed', daysAgo(100))
    const recent = await run('completed', daysAgo(10))
    const running = await run('sending', null)
    const delivered = await send(old, '+393400000001', 'delivered', daysAgo(100))
    const stillPending = await send(old, '+393400000002', 'pending', daysAgo(100))
    const recentRun = await send(recent, '+393400000003', 'read', daysAgo(100))
    const inRunning = await send(running, '+393400000004', 'delivered', daysAgo(100))
    // An emergency notice to an official: outside any run, keyed by its number.
    const notice = await send(randomUUID(), '+393400000005', 'failed', daysAgo(95), 'contact:+393400000005')
    const before = await row(delivered)

    const job = new SendLedgerRetentionJob(db, pseudonymise, 90, logger, () => now)
    expect(await job.runOnce()).toBe(2)
    expect(await row(delivered)).toEqual({ ...before, phone: pseudonymise('ancona', '+393400000001') })
    expect(await row(notice)).toMatchObject({ phone: pseudonymise('ancona', '+393400000005'), subscriber_id: `contact:${pseudonymise('ancona', '+393400000005')}`, state: 'failed' })
    for (const [id, phone] of [[stillPending, '+393400000002'], [recentRun, '+393400000003'], [inRunning, '+393400000004']] as const) {
      expect((await row(id)).phone).toBe(phone)
    }
    // A second pass finds nothing left.
    expect(await job.runOnce()).toBe(0)
  })

  it('erases one number at once: sends keep their proof under the keyed hash, pending ones are skipped, pacing goes', async () => {
    const phone = '+393400000009'
    const phoneHash = pseudonymise('ancona', phone)
    const done = await run('completed', daysAgo(1))
    const running = await run('sending', null)
    const sent = await send(done, phone, 'delivered', daysAgo(1))
    const pending = await send(running, phone, 'pending', now)
    const subscriberId = randomUUID()
    await sql`insert into worker.opt_out (tenant, subscriber_id, phone, opted_out, change, occurred_at) values ('ancona', ${subscriberId}, ${phone}, true, 'unsubscribed', now())`.execute(db)
    await sql`insert into worker.recipient_pacing (sender_key, phone, next_at) values ('whatsapp:100000000000001', ${phone}, now())`.execute(db)
    const providerId = (await row(sent)).provider_message_id

    const erased = { version: 1 as const, id: `erasure:ancona:${phoneHash}`, tenant: 'ancona', phone, phoneHash, erasedAt: now.toISOString() }
    expect(await eraseNumber(db, erased)).toEqual({ sendsPseudonymised: 2, sendsSkipped: 1, optOutsPseudonymised: 1, pacingDeleted: 1 })
    expect(await row(sent)).toMatchObject({ phone: phoneHash, state: 'delivered', provider_message_id: providerId })
    expect(await row(pending)).toMatchObject({ phone: phoneHash, state: 'skipped', reason: 'erased' })
    const { rows } = await sql`select 1 from worker.send_ledger where phone = ${phone} union all select 1 from worker.opt_out where phone = ${phone} union all select 1 from worker.recipient_pacing where phone = ${phone}`.execute(db)
    expect(rows).toEqual([])
    // Redelivered: nothing left to change.
    expect(await eraseNumber(db, erased)).toEqual({ sendsPseudonymised: 0, sendsSkipped: 0, optOutsPseudonymised: 0, pacingDeleted: 0 })
  })
})
