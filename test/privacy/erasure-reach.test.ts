import { SenderHistoryKv } from '@banditore/contracts'
import { KvSenderHistoryStore, openSenderHistoryBucket } from '@banditore/moderation'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, waitUntil, type World } from '../harness/index.js'

const ADMIN = 'bnd_privacy-test-bootstrap-admin-token-0123456789'
const CITIZEN = { phone: '+393475550123', international: '393475550123', national: '3475550123', first: 'Ottavia', last: 'Brambilla' }
const QUESTION = 'Vorrei sapere quando apre la biblioteca di quartiere Pinocchio'
const DAY_MS = 86_400_000

/**
 * Erasure reaches every copy of a number, and logs never carry one. Every deployable runs as its
 * real process at the default log level (info), with the provider simulator as the citizen's
 * phone: the citizen subscribes on WhatsApp (the consent record keeps the webhook's proof), asks
 * the desk, receives an emergency alert, and is erased. Then no table of any schema holds the
 * number (E.164, without the +, national) or the name, moderation holds no history of them, and
 * no process wrote them to its log.
 */
describe('privacy: erasure reaches every copy, logs hold no citizen', () => {
  let world: World
  let db: Kysely<Record<string, never>>
  const http = async (method: string, url: string, body?: unknown) => {
    const response = await fetch(url, {
      method,
      headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, body: (await response.json().catch(() => null)) as Record<string, unknown> }
  }
  const inbox = () => world.simulator!.running!.messages({ to: CITIZEN.phone })
  const senderHistory = async () => {
    const bucket = await openSenderHistoryBucket(world.nc, SenderHistoryKv.bucket, { ttlMs: 90 * DAY_MS })
    return await new KvSenderHistoryStore(bucket).historyOf('ancona', CITIZEN.phone, Date.now())
  }
  /** Tables (schema.table) whose rows, as text, contain any of `needles`. */
  const tablesHolding = async (needles: string[]) => {
    const { rows: tables } = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`.execute(db)
    const found: string[] = []
    for (const t of tables) {
      const patterns = needles.map((n) => `%${n}%`)
      const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(`${t.schema}.${t.name}`)} r where r::text ilike any(${patterns}::text[])`.execute(db)
      if (Number(rows[0]!.n) > 0) found.push(`${t.schema}.${t.name}`)
    }
    return found
  }

  beforeAll(async () => {
    world = await startWorld({
      mode: 'process',
      services: ['worker', 'broadcast', 'ingest', 'moderation', 'subscriptions'],
      env: { LOG_LEVEL: 'info' },
      serviceEnv: { broadcast: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } },
    })
    db = world.openDatabase({ applicationName: 'privacy-test' })
  }, 240_000)
  afterAll(async () => {
    await world?.stop()
  }, 60_000)

  it('keeps the provider proof with the consent, chained and verifiable', async () => {
    const ancona = world.tenants.get('ancona')!
    const to = ancona.channels.whatsapp!.number
    await world.simulator!.running!.injectWhatsApp({ to, from: CITIZEN.phone, profileName: `${CITIZEN.first} ${CITIZEN.last}`, text: 'ISCRIVIMI' })
    await waitUntil(() => inbox().length >= 1, { timeoutMs: 60_000, what: 'the welcome message' })
    await world.simulator!.running!.injectWhatsApp({ to, from: CITIZEN.phone, profileName: `${CITIZEN.first} ${CITIZEN.last}`, text: QUESTION })

    const { rows } = await sql<{ webhook_body_sha256: string | null; webhook_signature: string | null; hash: string | null }>`
      select webhook_body_sha256, webhook_signature, hash from subscriptions.consent_ledger where tenant = 'ancona'`.execute(db)
    expect(rows).toEqual([{ webhook_body_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), webhook_signature: expect.stringMatching(/^sha256=[0-9a-f]{64}$/), hash: expect.stringMatching(/^sha256:/) }])
    // The API token reaches subscriptions through the bucket the broadcast service mirrors it into.
    const verified = await waitUntil(async () => {
      const response = await http('GET', `${world.url('subscriptions')}/staff/ancona/privacy/consent-ledger/verify`)
      return response.status === 200 ? response.body : null
    }, { what: 'the consent chain verified' })
    expect(verified).toMatchObject({ valid: true, recordsVerified: 1 })
  })

  it('sends the citizen an emergency alert through the send ledger', async () => {
    const created = await http('POST', `${world.url('broadcast')}/v1/emergencies`, {
      tenant: 'ancona',
      severity: 'Severe',
      urgency: 'Immediate',
      headline: { it: 'Comune di Ancona: prova del sistema di allerta' },
      description: { it: 'Questa è una prova del sistema di allerta comunale.' },
      trigger: { reason: 'prova del sistema di allerta' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    await waitUntil(() => inbox().length >= 2, { timeoutMs: 60_000, what: 'the alert on the citizen phone' })
    await waitUntil(async () => (await sql`select 1 from worker.send_ledger where phone = ${CITIZEN.phone} and provider_message_id is not null`.execute(db)).rows.length === 1, {
      timeoutMs: 30_000,
      what: 'the alert in the send ledger',
    })
    // Both messages decided by moderation (kept in its sender history) and handled by subscriptions.
    await waitUntil(async () => (await senderHistory()).recentMessages.length === 2, { what: 'both messages in the sender history' })
    await waitUntil(async () => Number((await sql<{ n: string }>`select count(*) as n from subscriptions.processed_message where tenant = 'ancona'`.execute(db)).rows[0]!.n) === 2, {
      what: 'both messages handled by subscriptions',
    })
  })

  it('exports what every service holds of the number: its subscription, the alert it got, what moderation keeps', async () => {
    const exported = await http('POST', `${world.url('subscriptions')}/staff/ancona/privacy/export`, { phone: CITIZEN.national })
    expect(exported.status, JSON.stringify(exported.body)).toBe(200)
    expect(exported.body).toMatchObject({ version: 3, phone: CITIZEN.phone, subscriber: { status: 'active' }, optOutCache: { opted_out: false, change: 'subscribed' } })
    // The worker's send ledger: the alert, accepted by the provider.
    expect(exported.body.sends).toEqual([expect.objectContaining({ channel: 'whatsapp', provider_message_id: expect.any(String), number_pseudonymised: false })])
    // Moderation: both messages as it keeps them (normalized), and no review item.
    const moderation = exported.body.moderation as { senderHistory: { recentMessages: Array<{ text: string }> }; reviewItems: unknown[] }
    expect(moderation.senderHistory.recentMessages).toHaveLength(2)
    expect(moderation.senderHistory.recentMessages.map((m) => m.text).join(' ')).toContain('biblioteca')
    expect(moderation.reviewItems).toEqual([])
  })

  it('erases the number from every table of every schema and from moderation', async () => {
    // The search finds the copies there are before erasure.
    expect(await tablesHolding([CITIZEN.national])).toEqual(expect.arrayContaining(['subscriptions.subscriber', 'subscriptions.consent_ledger', 'worker.send_ledger']))
    const erased = await http('POST', `${world.url('subscriptions')}/staff/ancona/privacy/erasure`, { phone: CITIZEN.national, reason: 'richiesta art. 17 prot. 42' })
    expect(erased.status, JSON.stringify(erased.body)).toBe(200)
    const needles = [CITIZEN.phone, CITIZEN.international, CITIZEN.national, CITIZEN.first, CITIZEN.last, QUESTION]
    const left = await waitUntil(async () => {
      const tables = await tablesHolding(needles)
      return tables.length === 0 ? 'none' : null
    }, { timeoutMs: 30_000, what: 'no table holding the number, the name or the text' }).catch(async () => await tablesHolding(needles))
    expect(left).toBe('none')
    await waitUntil(async () => (await senderHistory()).recentMessages.length === 0, { what: 'the sender history forgotten' })
    // The send ledger keeps the send, under the proof's keyed hash.
    const { rows } = await sql<{ phone: string; state: string }>`select phone, state from worker.send_ledger where phone = ${String(erased.body.phoneHash)}`.execute(db)
    expect(rows).toHaveLength(1)
    // The chain still verifies, the anonymised records keep their hashes.
    expect((await http('GET', `${world.url('subscriptions')}/staff/ancona/privacy/consent-ledger/verify`)).body).toMatchObject({ valid: true, recordsVerified: 2 })
  })

  it('wrote no number, name or text of the citizen in any process log at info', () => {
    for (const [name, service] of Object.entries(world.services)) {
      const output = (service.instances ?? []).map((i) => i.process.output()).join('\n') || (service.process?.output() ?? '')
      expect(output.length, `${name} logged nothing`).toBeGreaterThan(0)
      for (const needle of [CITIZEN.international, CITIZEN.national, CITIZEN.first, CITIZEN.last, QUESTION]) {
        expect(output.includes(needle), `${name} logged ${needle}`).toBe(false)
      }
    }
  })
})
