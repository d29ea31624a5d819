import { Streams } from '@banditore/contracts'
import { PostgresReceivedMessageLedger, runReceivedMessageRetention } from '@banditore/ingest'
import { signWhatsAppPayload } from '@banditore/providers'
import { jetstreamManager } from '@nats-io/jetstream'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fixture, fixtureSecrets, readInbound, startIngest, type RunningIngest } from './running-ingest.js'

describe('the received-message ledger on PostgreSQL', () => {
  let ingest: RunningIngest

  beforeAll(async () => {
    ingest = await startIngest()
  })
  afterAll(async () => {
    await ingest?.close()
  })

  it('answers concurrent look-ups and overlapping inserts correctly through shared statements', async () => {
    const ledger = new PostgresReceivedMessageLedger(ingest.db, { maxConcurrent: 2, maxKeys: 50 })
    const ids = Array.from({ length: 300 }, (_, i) => `test:ledger:${i}`)
    // Overlapping batches, all at once: no deadlock, no conflict error, every id once.
    await Promise.all(ids.map((_, i) => ledger.record(ids.slice(i, i + 3))))
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ingest.received_message where id like 'test:ledger:%'`.execute(ingest.db)
    expect(rows[0]?.n).toBe(300)

    const asked = [...ids.filter((_, i) => i % 7 === 0), 'test:ledger:missing-1', 'test:ledger:missing-2']
    const answers = await Promise.all(asked.map((id) => ledger.seen([id])))
    expect(answers.map((set) => [...set])).toEqual(asked.map((id) => (id.includes('missing') ? [] : [id])))
  })

  it('deletes only rows older than the retention, one instance at a time', async () => {
    await sql`insert into ingest.received_message (id, first_seen_at) values
      ('test:old:1', now() - interval '31 days'), ('test:old:2', now() - interval '45 days'), ('test:recent', now() - interval '29 days')`.execute(ingest.db)

    // Another instance is purging: this one steps aside.
    const busy = await ingest.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(hashtext('banditore.ingest.retention'))`.execute(trx)
      return await new Promise<number | null>((resolve, reject) => {
        // A second connection, while the first holds the lock.
        runReceivedMessageRetention(ingest.db, 30).then(resolve, reject)
      })
    })
    expect(busy).toBeNull()

    expect(await runReceivedMessageRetention(ingest.db, 30)).toBe(2)
    const { rows } = await sql<{ id: string }>`select id from ingest.received_message where id like 'test:old:%' or id = 'test:recent'`.execute(ingest.db)
    expect(rows.map((r) => r.id)).toEqual(['test:recent'])
  })
})

describe('with PostgreSQL unreachable', () => {
  let ingest: RunningIngest

  beforeAll(async () => {
    // Nothing listens on port 1: every ledger statement fails to connect.
    ingest = await startIngest({}, { databaseUrl: 'postgres://postgres@127.0.0.1:1/nowhere' })
  })
  afterAll(async () => {
    await ingest?.close()
  })

  it('still accepts webhooks durably (JetStream is the durability path), and reports not ready', async () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '393330000101', phone_number_id: fixture.valdoro.phoneNumberId },
                messages: [{ from: '393471234567', id: 'wamid.no-postgres', timestamp: '1767225600', type: 'text', text: { body: 'ciao' } }],
              },
            },
          ],
        },
      ],
    })
    const post = () =>
      fetch(`${ingest.url}/webhooks/whatsapp`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, fixtureSecrets.VALDORO_WA_SECRET) },
      })
    expect((await post()).status).toBe(200)
    // Inside the duplicate window JetStream alone still collapses the redelivery.
    expect((await post()).status).toBe(200)
    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === 'wamid.no-postgres')
    expect(stored).toHaveLength(1)
    expect((await (await jetstreamManager(ingest.nc)).streams.info(Streams.inbound.name)).state.messages).toBe(1)

    const ready = await fetch(`${ingest.url}/readyz`)
    expect(ready.status).toBe(503)
    expect(await ready.json()).toMatchObject({ checks: { nats: 'ok', postgres: expect.stringMatching(/^failing/) } })
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text()
    expect(metrics).toMatch(/ingest_ledger_errors_total\{operation="lookup",service="ingest"\} 2/)
  })
})
