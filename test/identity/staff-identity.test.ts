import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import {
  buildApp as buildBroadcastApp,
  createBroadcastWorkflows,
  createEmergencyWorkflows,
  createOutboundChecker,
  createRecurringSchedules,
  hashToken,
  loadConfig as loadBroadcastConfig,
  migrations as broadcastMigrations,
  SCHEMA as BROADCAST_SCHEMA,
  upsertBootstrapToken,
  type BroadcastDatabase,
} from '@banditore/broadcast'
import { Streams } from '@banditore/contracts'
import { startIdentityProvider, type RunningIdentityProvider } from '@banditore/identity-provider'
import { signInForAccessToken } from '@banditore/identity-provider/testing'
import { connectNats, createDatabase, ensureStreams, loadTenantDirectory, migrateToLatest } from '@banditore/platform'
import {
  buildSubscriptionsService,
  loadConfig as loadSubscriptionsConfig,
  migrations as subscriptionsMigrations,
  SCHEMA as SUBSCRIPTIONS_SCHEMA,
  type SubscriptionsDatabase,
} from '@banditore/subscriptions'
import { Client, Connection } from '@temporalio/client'
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest'

type FastifyInstance = Awaited<ReturnType<typeof buildBroadcastApp>>
import { captureLogs, createTestDatabase, startNatsServer, waitUntil } from '../harness/index.js'

const TENANTS_DIR = fileURLToPath(new URL('../../tenants', import.meta.url))
const ADMIN_TOKEN = 'bootstrap-admin-token-for-the-identity-tests'
const PASSWORD = 'banditore-locale'
const CONSOLE = { clientId: 'console', clientSecret: 'console-secret-for-the-tests', redirectUris: ['http://127.0.0.1:9/auth/callback'] }
// Access tokens of one second: the expiry is observed, not faked.
const SHORT_LIVED = { clientId: 'short-lived', clientSecret: 'short-lived-secret-for-tests', redirectUris: ['http://127.0.0.1:9/auth/callback'], accessTokenTtlSeconds: 1 }
const draft = { title: 'Sagra', topics: ['eventi'], sms: { texts: { it: 'Comune di Corbetta: sabato la sagra in piazza.' } } }

type Call = { status: number; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any -- assertions read any field

/**
 * One staff identity: a person signed in at the (real, local) OpenID provider and an API token
 * created by an admin are accepted by the broadcast service and the subscriptions service alike,
 * with the same roles.
 */
describe('staff identity across services', () => {
  const stops: Array<() => Promise<unknown>> = []
  let idp: RunningIdentityProvider
  let broadcast: FastifyInstance
  let subscriptions: FastifyInstance

  const call = async (app: FastifyInstance, method: 'GET' | 'POST' | 'DELETE', url: string, bearer: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Call> => {
    const response = await app.inject({ method, url, headers: { ...headers, ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) }, ...(body !== undefined ? { payload: body as object } : {}) })
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined }
  }
  const signIn = async (username: string, client: { clientId: string; clientSecret: string; redirectUris: string[] } = CONSOLE) =>
    (await signInForAccessToken({ issuer: idp.issuer, clientId: client.clientId, clientSecret: client.clientSecret, redirectUri: client.redirectUris[0]!, username, password: PASSWORD })).access_token

  beforeAll(async () => {
    const { logger } = captureLogs('identity-test', 'warn')
    const tenants = await loadTenantDirectory(TENANTS_DIR)
    idp = await startIdentityProvider({ tenants: tenants.all(), password: PASSWORD, clients: [CONSOLE, SHORT_LIVED] })
    stops.push(() => idp.stop())

    const nats = await startNatsServer()
    stops.push(() => nats.dispose())
    const nc = await connectNats({ servers: nats.url, name: 'identity-test', logger })
    stops.push(() => nc.drain())
    await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter])
    const database = await createTestDatabase()
    stops.push(() => database.drop())

    const broadcastDb = createDatabase<BroadcastDatabase>({ url: database.url, applicationName: 'identity-test-broadcast', max: 3 })
    stops.push(() => broadcastDb.destroy())
    await migrateToLatest(broadcastDb, BROADCAST_SCHEMA, broadcastMigrations)
    const connection = await Connection.connect({ address: inject('temporalAddress') })
    stops.push(() => connection.close())
    const client = new Client({ connection })
    const taskQueue = `identity-${randomUUID()}`
    const identityEnv = { OIDC_ISSUER: idp.issuer, OIDC_CLOCK_TOLERANCE_SECONDS: '0' }
    const broadcastConfig = loadBroadcastConfig({ ...identityEnv, BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, TEMPORAL_TASK_QUEUE_BROADCAST: taskQueue, OUTBOUND_CHECK_TIMEOUT_MS: '200' })
    await upsertBootstrapToken(broadcastDb, hashToken(ADMIN_TOKEN))
    broadcast = await buildBroadcastApp(broadcastConfig, {
      logger,
      nc,
      db: broadcastDb,
      tenants,
      workflows: createBroadcastWorkflows({ client, taskQueue }),
      emergencies: createEmergencyWorkflows({ client, taskQueue }),
      schedules: createRecurringSchedules({ client, taskQueue }),
      checker: createOutboundChecker({ nc, logger, timeoutMs: broadcastConfig.OUTBOUND_CHECK_TIMEOUT_MS }),
      temporalReady: async () => void (await connection.healthService.check({})),
    })
    stops.push(() => broadcast.close())
    await broadcast.ready()

    const subscriptionsPool = createDatabase<SubscriptionsDatabase>({ url: database.url, applicationName: 'identity-test-subscriptions', max: 3 })
    stops.push(() => subscriptionsPool.destroy())
    await migrateToLatest(subscriptionsPool, SUBSCRIPTIONS_SCHEMA, subscriptionsMigrations)
    const service = await buildSubscriptionsService(loadSubscriptionsConfig({ ...identityEnv, SUBSCRIBER_HASH_KEY: 'identity-test-hash-key-identity-test-hash-key' }), {
      logger,
      nc,
      db: subscriptionsPool.withSchema(SUBSCRIPTIONS_SCHEMA),
      tenants,
    })
    subscriptions = service.app
    stops.push(() => subscriptions.close())
    await subscriptions.ready()
  })

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined)
  })

  it("accepts a person's access token on the broadcast and the subscriptions service", async () => {
    const operator = await signIn('operator.corbetta')
    const me = await call(broadcast, 'GET', '/v1/me', operator)
    expect(me).toMatchObject({
      status: 200,
      body: { subject: 'operator.corbetta', name: 'Operatore Corbetta', via: 'person', tenant: 'corbetta', grants: [{ tenant: 'corbetta', role: 'operator' }], actor: 'Operatore Corbetta <operator.corbetta@banditore.local>' },
    })
    const created = await call(broadcast, 'POST', '/v1/broadcasts', operator, draft)
    expect(created).toMatchObject({ status: 201, body: { tenant: 'corbetta', status: 'draft', createdBy: 'person:operator.corbetta' } })

    const approver = await signIn('approver.corbetta')
    expect((await call(broadcast, 'POST', `/v1/broadcasts/${created.body.id}/approve`, approver, { acknowledgeFindings: true })).status).toBe(200)
    const audit = await call(broadcast, 'GET', `/v1/broadcasts/${created.body.id}/audit`, approver)
    expect(audit.body.entries.map((e: { action: string; actor: string }) => [e.action, e.actor])).toEqual([
      ['drafted', 'Operatore Corbetta <operator.corbetta@banditore.local>'],
      ['approved', 'Approvatore Corbetta <approver.corbetta@banditore.local>'],
    ])

    const desk = await signIn('desk.corbetta')
    expect(await call(subscriptions, 'GET', '/desk/corbetta/messages', desk)).toMatchObject({ status: 200, body: { messages: [] } })
  })

  it('refuses a role or tenant the person lacks with 403 and an Italian detail', async () => {
    const operator = await signIn('operator.corbetta')
    const desk = await call(subscriptions, 'GET', '/desk/corbetta/messages', operator)
    expect(desk).toMatchObject({ status: 403, body: { code: 'FORBIDDEN', detail: 'questa azione per il comune corbetta richiede il ruolo sportello o amministratore; hai il ruolo operatore' } })
    expect(await call(subscriptions, 'POST', '/staff/ancona/privacy/export', await signIn('privacy-officer.corbetta'), { phone: '+393401234567' })).toMatchObject({
      status: 403,
      body: { detail: expect.stringContaining('non hai ruoli per questo comune') },
    })
    const approver = await signIn('approver.corbetta')
    expect(await call(broadcast, 'POST', '/v1/broadcasts', approver, draft)).toMatchObject({ status: 403, body: { detail: expect.stringContaining('richiede il ruolo operatore') } })
    expect(await call(broadcast, 'GET', '/v1/broadcasts', operator, undefined, { 'x-banditore-tenant': 'ancona' })).toMatchObject({ status: 403, body: { detail: 'non hai ruoli per il comune ancona' } })
  })

  it('refuses garbage and expired access tokens with 401', async () => {
    const forged = `${(await signIn('admin')).split('.').slice(0, 2).join('.')}.c2lnbmF0dXJhLWZhbHNh`
    for (const app of [broadcast, subscriptions]) {
      const url = app === broadcast ? '/v1/me' : '/desk/corbetta/messages'
      expect(await call(app, 'GET', url, forged)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } })
      expect((await call(app, 'GET', url, 'a.b.c')).status).toBe(401)
      expect((await call(app, 'GET', url, undefined)).status).toBe(401)
    }
    const shortLived = await signIn('desk.corbetta', SHORT_LIVED)
    expect((await call(subscriptions, 'GET', '/desk/corbetta/messages', shortLived)).status).toBe(200)
    const expired = await waitUntil(async () => {
      const response = await call(subscriptions, 'GET', '/desk/corbetta/messages', shortLived)
      return response.status === 401 ? response : undefined
    }, { what: 'the access token to expire', timeoutMs: 10_000 })
    expect(expired.body.detail).toContain('scaduto')
    expect(await call(broadcast, 'GET', '/v1/me', shortLived)).toMatchObject({ status: 401, body: { detail: expect.stringContaining('scaduto') } })
  })

  it('accepts an API token an admin creates on the subscriptions service too, until it is revoked', async () => {
    const admin = await signIn('admin')
    const created = await call(broadcast, 'POST', '/v1/tokens', admin, { tenant: 'corbetta', role: 'desk', holder: 'cms@corbetta.example', label: 'CMS del comune' })
    expect(created).toMatchObject({ status: 201, body: { tenant: 'corbetta', role: 'desk' } })
    const token = created.body.token as string
    await waitUntil(async () => (await call(subscriptions, 'GET', '/desk/corbetta/messages', token)).status === 200 || undefined, { what: 'the token to reach subscriptions' })
    expect((await call(subscriptions, 'GET', '/desk/ancona/messages', token)).status).toBe(403)

    expect((await call(broadcast, 'DELETE', `/v1/tokens/${created.body.id}`, admin)).body.revokedAt).not.toBeNull()
    expect((await call(broadcast, 'GET', '/v1/me', token)).status).toBe(401)
    await waitUntil(async () => (await call(subscriptions, 'GET', '/desk/corbetta/messages', token)).status === 401 || undefined, { what: 'the revocation to reach subscriptions' })
  })

  it('keeps four eyes on the person, whatever token they use', async () => {
    const operator = await signIn('operator.corbetta')
    const created = await call(broadcast, 'POST', '/v1/broadcasts', operator, draft)
    const ownApprover = await call(broadcast, 'POST', '/v1/tokens', ADMIN_TOKEN, { tenant: 'corbetta', role: 'approver', holder: 'operator.corbetta@banditore.local', label: 'approvazioni di Operatore Corbetta' })
    expect(await call(broadcast, 'POST', `/v1/broadcasts/${created.body.id}/approve`, ownApprover.body.token, { acknowledgeFindings: true })).toMatchObject({ status: 403, body: { code: 'FOUR_EYES' } })
  })
})
