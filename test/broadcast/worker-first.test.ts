import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { broadcastCorrelationPrefix, ModerationSubjects, OutboundCheckReplyContract, Streams } from '@banditore/contracts'
import { answerOutboundCheck, compileRuleset, ProfileDirectory, readRulesetDirectory, RulesetStore } from '@banditore/moderation'
import { connectNats, createDatabase, ensureStreams, parseTenant, TenantDirectory } from '@banditore/platform'
import { startSimulator, type RunningSimulator } from '@banditore/provider-simulator'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { captureLogs, createTestDatabase, freePort, spawnService, startNatsServer, waitForHttp, type ServiceProcess, type TestDatabase, type TestNatsServer } from '../harness/index.js'
import { audienceOf } from './support/subscribers.js'
import { startSubscribers, type Subscribers } from './support/subscribers.js'
import { BORGO, borgoTenantDocument, SECRETS } from './support/broadcast-tenant.js'

const RULES_DIR = fileURLToPath(new URL('../../rules', import.meta.url))
const ADMIN = 'bootstrap-admin-token-for-the-worker-first-test'

/**
 * The worker owns its schema: started first on an empty database (no broadcast schema yet), it
 * migrates its own tables; the staff API started after it sends a broadcast through it and reads
 * the progress from it, both as their own processes (their real main.ts).
 */
describe('the worker started first on an empty database', () => {
  const { logger } = captureLogs('worker-first-test', 'warn')
  let nats: TestNatsServer
  let nc: NatsConnection
  let database: TestDatabase
  let db: Kysely<Record<string, never>>
  let sim: RunningSimulator
  let audience: Subscribers
  let moderation: Subscription
  let scratch: string
  const children: ServiceProcess[] = []
  let apiUrl: string

  beforeAll(async () => {
    nats = await startNatsServer()
    nc = await connectNats({ servers: nats.url, name: 'worker-first-test', logger })
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter])
    database = await createTestDatabase()
    db = createDatabase<Record<string, never>>({ url: database.url, applicationName: 'worker-first-test', max: 2 })
    const document = borgoTenantDocument({ whatsappMps: 80, extraTopics: ['primo'] })
    const tenants = new TenantDirectory([parseTenant('borgo.json', document)])
    scratch = mkdtempSync(join(tmpdir(), 'banditore-worker-first-'))
    mkdirSync(join(scratch, 'tenants'))
    writeFileSync(join(scratch, 'tenants', 'borgo.json'), JSON.stringify(document))
    sim = await startSimulator({
      statusDelayMs: 2,
      whatsapp: [
        {
          phoneNumberId: BORGO.phoneNumberId,
          displayPhoneNumber: BORGO.whatsappNumber,
          accessToken: SECRETS.BORGO_WA_TOKEN as string,
          throughputPerSecond: 80,
          // The template the broadcast sends, approved in Borgo's business account.
          templates: [{ name: 'avviso_generico', language: 'it', bodyParameters: 1 }],
        },
      ],
      twilio: [{ accountSid: SECRETS.BORGO_SMS_SID as string, authToken: SECRETS.BORGO_SMS_TOKEN as string, numbers: [{ number: BORGO.smsNumber, throughputPerSecond: 10 }] }],
    })
    const profiles = ProfileDirectory.fromTenants(tenants.all())
    const store = new RulesetStore(await compileRuleset(await readRulesetDirectory(RULES_DIR), profiles), profiles)
    moderation = nc.subscribe(ModerationSubjects.checkOutbound, {
      callback: (_error, msg) => void answerOutboundCheck(store, msg.data, new Date()).then((reply) => msg.respond(OutboundCheckReplyContract.encode(reply))),
    })
    audience = await startSubscribers({ nc, databaseUrl: database.url, tenants, logger })
    await audience.add(audienceOf(BORGO.id, 40, { topics: ['primo'] }))
  })
  afterAll(async () => {
    for (const child of children) if (child.child.exitCode === null) await child.signal('SIGTERM')
    moderation?.unsubscribe()
    await audience?.stop()
    await sim?.stop()
    await nc?.drain()
    await nats?.dispose()
    await db?.destroy()
    await database?.drop()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  const schemas = async () =>
    (await sql<{ name: string }>`select schema_name as name from information_schema.schemata where schema_name in ('worker', 'broadcast')`.execute(db)).rows.map((r) => r.name).sort()

  const start = async (entry: string, env: Record<string, string>) => {
    const port = await freePort()
    const child = spawnService(entry, { ...env, PORT: String(port) })
    children.push(child)
    try {
      await waitForHttp(`http://127.0.0.1:${port}/readyz`, 200, 90_000, () => child.child.exitCode === null)
    } catch (error) {
      throw new Error(`${String(error)}\n--- output ---\n${child.output()}`, { cause: error })
    }
    return `http://127.0.0.1:${port}`
  }

  it('migrates its own schema, then sends a broadcast the staff API started later', async () => {
    expect(await schemas()).toEqual([])
    const queue = `worker-first-${randomUUID()}`
    const common = { NATS_URL: nats.url, DATABASE_URL: database.url, TEMPORAL_ADDRESS: inject('temporalAddress'), TENANTS_DIR: join(scratch, 'tenants'), LOG_LEVEL: 'warn' }
    const queues = { TEMPORAL_TASK_QUEUE_BROADCAST: queue, TEMPORAL_TASK_QUEUE_EMERGENCY: `${queue}-emergency` }
    await start('workflows/src/main.ts', { ...common, ...queues, ...SECRETS, TEMPORAL_TASK_QUEUE_REPLIES: `${queue}-replies`, WHATSAPP_API_BASE_URL: sim.url, SMS_API_BASE_URL: sim.url })
    // Ready on an empty database: its own schema only, nobody else's needed.
    expect(await schemas()).toEqual(['worker'])

    apiUrl = await start('services/broadcast/src/main.ts', { ...common, ...queues, BOOTSTRAP_ADMIN_TOKEN: ADMIN, QUIET_HOURS_DEFAULT: 'off' })
    expect(await schemas()).toEqual(['broadcast', 'worker'])
    // The worker's tables exist once, in its schema.
    const tables = await sql<{ schema: string; name: string }>`
      select table_schema as schema, table_name as name from information_schema.tables
      where table_name in ('send_ledger', 'broadcast_run', 'sender_rate_limit') order by 1, 2`.execute(db)
    expect(tables.rows.map((t) => `${t.schema}.${t.name}`)).toEqual(['worker.broadcast_run', 'worker.send_ledger', 'worker.sender_rate_limit'])

    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const response = await fetch(`${apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      })
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any }
    }
    const token = async (role: string, holder: string) => {
      const created = await call('POST', '/v1/tokens', ADMIN, { tenant: BORGO.id, role, holder, label: holder })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      return created.body.token as string
    }
    const operator = await token('operator', 'prima@borgo.example')
    const approver = await token('approver', 'seconda@borgo.example')
    const created = await call('POST', '/v1/broadcasts', operator, {
      title: 'il worker per primo',
      topics: ['primo'],
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Prova del Comune di Borgo'] } } },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id as string
    expect((await call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).status).toBe(200)
    expect((await call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(202)

    await expect.poll(async () => (await call('GET', `/v1/broadcasts/${id}/progress`, operator)).body?.status, { timeout: 60_000, interval: 250 }).toBe('completed')
    const progress = (await call('GET', `/v1/broadcasts/${id}/progress`, operator)).body
    expect(progress).toMatchObject({ total: 40, queued: 0, failed: 0, skipped: 0 })
    expect(sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })).toHaveLength(40)
    expect((await call('GET', `/v1/broadcasts/${id}`, operator)).body).toMatchObject({ status: 'completed', startedAt: expect.any(String), finishedAt: expect.any(String) })
  }, 180_000)
})
