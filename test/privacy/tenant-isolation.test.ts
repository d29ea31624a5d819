import { randomUUID } from 'node:crypto'
import { STAFF_TENANT_HEADER, StaffRoles, Subjects, type InboundMessage, type ModerationVerdict, type StaffRole } from '@banditore/contracts'
import { DurablePublisher, migrateToLatest } from '@banditore/platform'
import { migrations as workerMigrations, startWorkerProgressResponder, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorld, waitUntil, type World } from '../harness/index.js'
import { operationsOf, routesOf, sampleOf, type OpenApiDocument, type Operation } from './tenant-sweep.js'

const ADMIN = 'bnd_tenant-isolation-bootstrap-admin-0123456789'
/** A: whose staff call; B: whose data they aim at (a desk tenant, so it has conversations). */
const A = 'corbetta'
const B = 'ancona'
const B_CITIZEN = '+393475550199'
/** In every title and text B's staff and citizen write: found in a response of A, it leaked. */
const MARK = 'ISOLAMENTO-ANCONA-7f3c'

type Service = 'broadcast' | 'subscriptions' | 'moderation'
interface Answer {
  status: number
  text: string
  code?: string
  detail?: string
}
interface Call {
  method: string
  url: string
  token: string
  body?: unknown
  raw?: { body: string; contentType: string }
  headers?: Record<string, string>
}

/** A refusal: forbidden, not found, or the broadcast API's 422 naming `/tenant` (another tenant named in a field). */
const refused = (a: Answer) => a.status === 403 || a.status === 404 || (a.status === 422 && a.code === 'DRAFT_INVALID' && (a.detail ?? '').startsWith('/tenant'))
/**
 * A refusal by the tenant check itself, not by the caller's role in its own tenant (which comes
 * first and proves nothing about tenants): "richiede il ruolo …; hai il ruolo …".
 */
const reachedTenantCheck = (a: Answer) => refused(a) && !(a.status === 403 && /richiede il ruolo .*; hai il ruolo/.test(a.detail ?? ''))

/**
 * One tenant never sees another (issue #19). Tenant A's staff, with a token of every role, call
 * every staff operation of the broadcast service (from its OpenAPI document), the subscriptions
 * service and moderation's bench (from their fastify routes) aimed at tenant B: B's resource ids
 * in the path, B named in `tenant` fields, paths and X-Banditore-Tenant. Each call is refused
 * (403, 404, or 422 on the `/tenant` field), and at least one role per operation is refused by
 * the tenant check rather than by its role; A's own lists hold nothing of B; and afterwards B's
 * resources are as B left them. A new route that forgets the tenant check fails here: the
 * sweep enumerates the routes, and what it leaves out is listed below.
 */
describe('privacy: one tenant never sees another', () => {
  let world: World
  let stopResponder: (() => Promise<void>) | undefined
  const tokenOf: Record<string, Record<StaffRole, string>> = { [A]: {} as Record<StaffRole, string>, [B]: {} as Record<StaffRole, string> }
  /** B's resources by kind; `token` is the id of B's operator token. */
  const bIds: Record<string, string> = {}
  /** B's quiet hours before the sweep (A's staff try to set them). */
  let bQuietHours: unknown

  const call = async (service: Service, c: Call): Promise<Answer> => {
    const response = await world.services[service]!.http!.inject({
      method: c.method as 'GET',
      url: c.url,
      headers: { authorization: `Bearer ${c.token}`, ...(c.raw ? { 'content-type': c.raw.contentType } : {}), ...c.headers },
      ...(c.raw ? { payload: c.raw.body } : c.body !== undefined ? { payload: c.body as object } : {}),
    })
    let parsed: { code?: string; detail?: string } = {}
    try {
      const value = JSON.parse(response.body) as unknown
      if (value !== null && typeof value === 'object') parsed = value
    } catch {
      // CSV, SSE or empty: no problem document.
    }
    return { status: response.statusCode, text: response.body, ...(parsed.code ? { code: parsed.code } : {}), ...(parsed.detail ? { detail: parsed.detail } : {}) }
  }
  const ok = async (service: Service, c: Call, status = 200) => {
    const answer = await call(service, c)
    if (answer.status !== status) throw new Error(`${c.method} ${c.url}: ${answer.status} ${answer.text}`)
    return JSON.parse(answer.text) as Record<string, unknown>
  }
  /** What must never appear in an answer to A: B's ids, B's texts, B's name as a value. */
  const needles = () => [...Object.values(bIds), MARK, `"${B}"`, 'tenants/ancona/']
  /** B's data in an answer, besides what the request itself named (a 404 names the id it did not find). */
  const leaks = (answer: Answer, request?: Call) => {
    const asked = request ? `${request.url} ${JSON.stringify(request.body ?? '')}` : ''
    return needles().filter((n) => answer.text.includes(n) && !asked.includes(n))
  }

  beforeAll(async () => {
    world = await startWorld({
      services: ['broadcast', 'subscriptions', 'moderation'],
      simulator: false,
      serviceEnv: { broadcast: { BOOTSTRAP_ADMIN_TOKEN: ADMIN } },
    })
    // The worker's answers (runs, privacy exports) over its own, empty, schema.
    const workerDb = world.openDatabase<WorkerDatabase>({ applicationName: 'worker-responder-test', max: 2 })
    await migrateToLatest(workerDb, WORKER_SCHEMA, workerMigrations)
    const responder = startWorkerProgressResponder({ nc: world.nc, db: workerDb, logger: world.logs.logger })
    stopResponder = () => responder.stop()

    // A token of every role in each tenant, B's first: once A's last works everywhere, all are mirrored.
    for (const tenant of [B, A]) {
      for (const role of StaffRoles) {
        const created = await ok('broadcast', { method: 'POST', url: '/v1/tokens', token: ADMIN, body: { tenant, role, holder: `${role}@${tenant}.example`, label: `${tenant} ${role}` } }, 201)
        tokenOf[tenant]![role] = created.token as string
        if (tenant === B && role === 'operator') bIds.token = created.id as string
      }
    }
    for (const [service, url] of [['subscriptions', `/staff/${A}/subscriber-options`], ['moderation', `/policy/${A}/rules`]] as const) {
      await waitUntil(async () => (await call(service, { method: 'GET', url, token: tokenOf[A]!.admin })).status === 200, { what: `A's tokens mirrored to ${service}` })
    }
    const b = tokenOf[B]!

    // B's broadcast, emergency, electoral period and (if the API takes it) recurring broadcast.
    const content = { topics: ['info-comune'], whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: [MARK] } } } }
    bIds.broadcast = (await ok('broadcast', { method: 'POST', url: '/v1/broadcasts', token: b.operator, body: { title: MARK, ...content } }, 201)).id as string
    const alert = { severity: 'Severe', urgency: 'Immediate', headline: { it: MARK }, description: { it: `${MARK}: esondazione` } }
    bIds.emergency = (await ok('broadcast', { method: 'POST', url: '/v1/emergencies', token: b['civil-protection'], body: alert }, 201)).id as string
    const period = { kind: 'municipal', name: MARK, startsAt: '2031-05-01T00:00', endsAt: '2031-05-20T23:00' }
    bIds.period = (await ok('broadcast', { method: 'POST', url: '/v1/electoral-periods', token: b.admin, body: period }, 201)).id as string
    const day = (d: number) => new Date(Date.now() + d * 86_400_000).toISOString().slice(0, 10)
    const recurrence = { every: 'week', weekdays: ['monday'], at: '10:00', from: day(1), until: day(60) }
    const recurring = await call('broadcast', { method: 'POST', url: '/v1/recurring-broadcasts', token: b.operator, body: { title: MARK, ...content, recurrence } })
    if (recurring.status === 201) bIds.recurring = (JSON.parse(recurring.text) as { id: string }).id

    // B's desk: open now, a canned answer, a citizen who subscribes and asks; an import.
    const hour = 3_600_000
    const opening = { kind: 'open', startsAt: new Date(Date.now() - hour).toISOString(), endsAt: new Date(Date.now() + 3 * hour).toISOString(), reason: MARK }
    bIds.override = (await ok('subscriptions', { method: 'POST', url: `/desk/${B}/office-hours/overrides`, token: b.desk, body: opening }, 201)).id as string
    bIds.canned = (await ok('subscriptions', { method: 'POST', url: `/desk/${B}/canned-answers`, token: b.desk, body: { title: MARK, text: MARK } }, 201)).id as string
    await citizenWrites('ISCRIVIMI', 1)
    await citizenWrites(`${MARK}: quando apre l'anagrafe?`, 2)
    const conversation = await waitUntil(
      async () => ((await ok('subscriptions', { method: 'GET', url: `/desk/${B}/conversations`, token: b.desk })).conversations as Array<{ id: string; openCount: number }>).find((c) => c.openCount > 0),
      { what: "B's citizen's question on the desk" },
    )
    bIds.subscriber = conversation.id
    bIds.deskMessage = ((await ok('subscriptions', { method: 'GET', url: `/desk/${B}/messages`, token: b.desk })).messages as Array<{ id: string }>)[0]!.id
    const imported = await ok('subscriptions', { method: 'POST', url: `/staff/${B}/imports?fileName=lista.csv`, token: b.admin, raw: { body: 'telefono\n+393475550777\n', contentType: 'text/csv' } }, 201)
    bIds.import = imported.id as string
    bQuietHours = await ok('broadcast', { method: 'GET', url: '/v1/quiet-hours', token: b.admin })
  }, 180_000)

  afterAll(async () => {
    await stopResponder?.()
    await world?.stop()
  })

  /** Publishes moderation's verdict on a message of B's citizen, as moderation would. */
  async function citizenWrites(text: string, n: number): Promise<void> {
    const now = new Date().toISOString()
    const providerMessageId = `wamid.isolation${n}`
    const message: InboundMessage = {
      version: 1,
      id: `whatsapp-cloud:${providerMessageId}`,
      tenant: B,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId,
      from: B_CITIZEN,
      to: world.tenants.get(B)!.channels.whatsapp!.number,
      type: 'text',
      text,
      sentAt: now,
      receivedAt: now,
    }
    const verdict: ModerationVerdict = { version: 1, messageId: message.id, tenant: B, from: B_CITIZEN, channel: 'whatsapp', action: 'allow', categories: [], rules: [], rulesetVersion: 'sha256:0123456789abcdef', decidedAt: now, message }
    await new DurablePublisher(world.nc).publish(Subjects.moderationVerdict(B), new TextEncoder().encode(JSON.stringify(verdict)), { msgId: message.id })
  }

  /**
   * Sweeps calls as every role of A: each must be refused; per operation, at least one role must
   * be refused by the tenant check. Returns what went wrong, one line per call.
   */
  async function sweep(service: Service, operations: Array<{ name: string; build: (token: string) => Call }>): Promise<string[]> {
    const problems: string[] = []
    // One operation at a time (its roles together): the services' pools stay small, as in CI.
    for (const { name, build } of operations) {
        const answers = await Promise.all(
          StaffRoles.map(async (role) => {
            const request = build(tokenOf[A]![role])
            return { role, request, answer: await call(service, request) }
          }),
        )
        for (const { role, request, answer } of answers) {
          if (!refused(answer)) problems.push(`${service} ${name} as ${A} ${role}: ${answer.status} ${answer.text.slice(0, 300)}`)
          else if (leaks(answer, request).length > 0) problems.push(`${service} ${name}: the refusal names ${leaks(answer, request).join(', ')}`)
        }
        if (!answers.some(({ answer }) => reachedTenantCheck(answer))) problems.push(`${service} ${name}: every role refused by its role only, the tenant check never reached`)
    }
    return problems
  }

  /** A's own lists (tenant A in the path or none named): answered or refused, never with B's data. */
  async function ownLists(service: Service, calls: Array<{ name: string; build: (token: string) => Call }>): Promise<{ problems: string[]; answered: number }> {
    const problems: string[] = []
    let answered = 0
    for (const { name, build } of calls) {
      for (const role of StaffRoles) {
        const answer = await call(service, build(tokenOf[A]![role]))
        if (answer.status >= 200 && answer.status < 300) answered++
        const found = leaks(answer)
        if (found.length > 0) problems.push(`${service} ${name} as ${A} ${role} (${answer.status}) holds ${found.join(', ')}`)
      }
    }
    return { problems, answered }
  }

  it('refuses every operation of the broadcast staff API aimed at another tenant', async () => {
    const document = JSON.parse((await world.services.broadcast!.http!.inject({ method: 'GET', url: '/docs/json' })).body) as OpenApiDocument
    const operations = operationsOf(document)
    // Every staff route is documented (a hidden route would escape the sweep); the rest is the platform's.
    const documented = new Set(operations.map((o) => `${o.method} ${o.path.replace(/\{(\w+)\}/g, ':$1')}`))
    const routes = routesOf(world.services.broadcast!.http!.printRoutes({ commonPrefix: false }))
    expect(routes.filter((r) => r.path.startsWith('/v1/') && !documented.has(`${r.method} ${r.path}`))).toEqual([])
    // Not staff operations: health, readiness, metrics and the document itself (swagger-ui's pages).
    expect([...new Set(routes.filter((r) => !r.path.startsWith('/v1/')).map((r) => r.path.split('/')[1]))].sort()).toEqual(['docs', 'healthz', 'metrics', 'readyz'])
    expect(operations.every((o) => o.path.startsWith('/v1/'))).toBe(true)

    /** B's resource behind `{id}` of a path, by its collection; else a random id (must be 404 too). */
    const RESOURCES: Record<string, string> = {
      '/v1/broadcasts/{id}': 'broadcast',
      '/v1/emergencies/{id}': 'emergency',
      '/v1/electoral-periods/{id}': 'period',
      '/v1/tokens/{id}': 'token',
      '/v1/recurring-broadcasts/{id}': 'recurring',
    }
    const idFor = (path: string) => {
      const kind = Object.entries(RESOURCES).find(([prefix]) => path.startsWith(prefix))?.[1]
      return (kind && bIds[kind]) ?? randomUUID()
    }
    /** Operations whose body is not JSON (the document names no schema for it): a body of their type. */
    const RAW_BODIES: Record<string, { contentType: string; schema: undefined }> = { 'POST /v1/emergencies/cap': { contentType: 'application/cap+xml', schema: undefined } }
    const aimedAtB = (op: Operation, header: boolean) => (token: string): Call => {
      const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'id' ? idFor(op.path) : String(sampleOf(op.pathParams.find((p) => p.name === name)?.schema, B))))
      const query = op.queryParams.filter((p) => p.name === 'tenant' || p.required).map((p) => `${p.name}=${encodeURIComponent(p.name === 'tenant' ? B : String(sampleOf(p.schema, B)))}`)
      const body = op.body ?? RAW_BODIES[`${op.method} ${op.path}`]
      return {
        method: op.method,
        url: `${path}${query.length ? `?${query.join('&')}` : ''}`,
        token,
        ...(body?.contentType === 'application/json' ? { body: sampleOf(body.schema, B, `${op.method} ${op.path}`) } : body ? { raw: { body: '<alert/>', contentType: body.contentType } } : {}),
        ...(header ? { headers: { [STAFF_TENANT_HEADER]: B } } : {}),
      }
    }
    const namesB = (op: Operation) => op.pathParams.length > 0 || op.queryParams.some((p) => p.name === 'tenant') || (op.body?.schema?.properties !== undefined && 'tenant' in op.body.schema.properties)
    const foreign = operations.filter(namesB).map((op) => ({ name: `${op.method} ${op.path}`, build: aimedAtB(op, false) }))
    // X-Banditore-Tenant: B on every operation, the one way to aim those that name no tenant.
    const byHeader = operations.map((op) => ({ name: `${op.method} ${op.path} (${STAFF_TENANT_HEADER}: ${B})`, build: aimedAtB(op, true) }))
    const own = operations.filter((op) => op.method === 'GET' && op.pathParams.length === 0).map((op) => ({ name: `${op.method} ${op.path}`, build: (token: string): Call => ({ method: 'GET', url: op.path, token }) }))

    expect(await sweep('broadcast', [...foreign, ...byHeader])).toEqual([])
    const lists = await ownLists('broadcast', own)
    expect(lists.problems).toEqual([])
    // Not vacuous: the document has the staff API's operations, and A's lists were answered.
    expect(operations.length).toBeGreaterThanOrEqual(35)
    expect(foreign.length).toBeGreaterThanOrEqual(30)
    expect(own.length).toBeGreaterThanOrEqual(8)
    expect(lists.answered).toBeGreaterThanOrEqual(own.length)
  })

  it("refuses every staff route of the subscriptions service aimed at another tenant or at its ids", async () => {
    const routes = routesOf(world.services.subscriptions!.http!.printRoutes({ commonPrefix: false }))
    const staff = routes.filter((r) => /^\/(staff|desk)\/:tenant\//.test(r.path))
    // Not staff routes: the platform's health, readiness and metrics.
    expect(routes.filter((r) => !staff.includes(r)).map((r) => r.path).sort()).toEqual(['/healthz', '/metrics', '/readyz'])

    /** B's resource behind each `:id`, by route; a route with an id not listed here fails the test (map it). */
    const idKind = (path: string) =>
      (
        [
          ['/desk/:tenant/messages/:id', 'deskMessage'],
          ['/desk/:tenant/conversations/:id', 'subscriber'],
          ['/desk/:tenant/canned-answers/:id', 'canned'],
          ['/desk/:tenant/office-hours/overrides/:id', 'override'],
          ['/staff/:tenant/subscribers/:id', 'subscriber'],
          ['/staff/:tenant/imports/:id', 'import'],
        ] as const
      ).find(([prefix]) => path.startsWith(prefix))?.[1]
    const phone = B_CITIZEN
    const reason = 'prova di isolamento'
    const hour = 3_600_000
    /** Bodies that pass each route's contract, so a call with tenant A reaches the id lookup. */
    const BODIES: Record<string, unknown> = {
      'POST /desk/:tenant/messages/:id/answer': { text: 'risposta' },
      'POST /desk/:tenant/conversations/:id/answers': { text: 'risposta' },
      'POST /desk/:tenant/conversations/:id/answered': {},
      'POST /desk/:tenant/conversations/:id/assignment': { assignee: 'me' },
      'POST /desk/:tenant/conversations/:id/block': { reason },
      'POST /desk/:tenant/canned-answers': { title: 'titolo', text: 'testo' },
      'PUT /desk/:tenant/canned-answers/:id': { title: 'titolo', text: 'testo' },
      'POST /desk/:tenant/office-hours/overrides': { kind: 'closed', startsAt: new Date(Date.now() + hour).toISOString(), endsAt: new Date(Date.now() + 2 * hour).toISOString(), reason },
      'POST /staff/:tenant/blocks': { phone, reason },
      'POST /staff/:tenant/unblocks': { phone },
      'POST /staff/:tenant/removals': { phone, reason },
      'POST /staff/:tenant/privacy/export': { phone },
      'POST /staff/:tenant/privacy/erasure': { phone, reason },
      'POST /staff/:tenant/paper-signups': { phone, name: 'Prova', topics: [], formReference: 'M-1', signedAt: '2026-01-10' },
      'POST /staff/:tenant/subscribers/search': { query: phone },
      'POST /staff/:tenant/subscribers/:id/export': {},
      'POST /staff/:tenant/subscribers/:id/erasure': { reason },
      'POST /staff/:tenant/subscribers/:id/removal': { reason },
      'POST /staff/:tenant/subscribers/:id/block': { reason },
      'POST /staff/:tenant/subscribers/:id/unblock': {},
      'POST /staff/:tenant/imports/:id/start': { mode: 'confirmation' },
    }
    const build = (route: { method: string; path: string }, tenant: string) => (token: string): Call => {
      const url = route.path.replace(':tenant', tenant).replace(/:(\w+)/g, (_, name: string) => {
        const kind = name === 'id' ? idKind(route.path) : undefined
        if (!kind) throw new Error(`${route.method} ${route.path}: map :${name} to one of B's resources in this test`)
        return bIds[kind]!
      })
      const key = `${route.method} ${route.path}`
      if (key === 'POST /staff/:tenant/imports') return { method: route.method, url: `${url}?fileName=x.csv`, token, raw: { body: `telefono\n${phone}\n`, contentType: 'text/csv' } }
      return { method: route.method, url, token, ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: BODIES[key] ?? {} }) }
    }
    const write = staff.filter((r) => r.method !== 'GET' && r.method !== 'DELETE' && !r.path.endsWith('/imports'))
    expect(write.filter((r) => !(`${r.method} ${r.path}` in BODIES)).map((r) => `${r.method} ${r.path}: add a body`)).toEqual([])

    // B in the path (and B's ids); then A in the path with B's ids: the ids are looked up in A.
    const foreign = staff.map((r) => ({ name: `${r.method} ${r.path} (:tenant ${B})`, build: build(r, B) }))
    const byId = staff.filter((r) => r.path.includes(':id')).map((r) => ({ name: `${r.method} ${r.path} (:tenant ${A}, B's :id)`, build: build(r, A) }))
    expect(await sweep('subscriptions', [...foreign, ...byId])).toEqual([])

    // A's own lists, and B's citizen looked up by number in A. The live stream never ends: its B call is above.
    const own = [
      ...staff.filter((r) => r.method === 'GET' && !r.path.includes(':id') && !r.path.endsWith('/stream')).map((r) => ({ name: `GET ${r.path}`, build: build(r, A) })),
      ...['POST /staff/:tenant/subscribers/search', 'POST /staff/:tenant/privacy/export'].map((key) => {
        const [method, path] = key.split(' ') as [string, string]
        return { name: key, build: build({ method, path }, A) }
      }),
    ]
    const lists = await ownLists('subscriptions', own)
    expect(lists.problems).toEqual([])
    expect(staff.length).toBeGreaterThanOrEqual(30)
    expect(byId.length).toBeGreaterThanOrEqual(15)
    expect(lists.answered).toBeGreaterThanOrEqual(own.length)
  })

  it("refuses every route of moderation's bench aimed at another tenant", async () => {
    const routes = routesOf(world.services.moderation!.http!.printRoutes({ commonPrefix: false }))
    const bench = routes.filter((r) => r.path.startsWith('/policy/:tenant/'))
    expect(routes.filter((r) => !bench.includes(r)).map((r) => r.path).sort()).toEqual(['/healthz', '/metrics', '/readyz'])
    const PARAMS: Record<string, string> = { name: 'repeat-offender', id: randomUUID(), kind: 'rule', seq: '1' }
    const build = (route: { method: string; path: string }, tenant: string) => (token: string): Call => ({
      method: route.method,
      url: route.path.replace(':tenant', tenant).replace(/:(\w+)/g, (_, name: string) => PARAMS[name] ?? randomUUID()),
      token,
      // The guard comes before the body: any body is refused with the tenant.
      ...(route.method === 'GET' ? {} : { body: {} }),
    })
    expect(await sweep('moderation', bench.map((r) => ({ name: `${r.method} ${r.path} (:tenant ${B})`, build: build(r, B) })))).toEqual([])
    const own = bench.filter((r) => r.method === 'GET' && r.path.split(':').length === 2).map((r) => ({ name: `GET ${r.path}`, build: build(r, A) }))
    const lists = await ownLists('moderation', own)
    expect(lists.problems).toEqual([])
    expect(bench.length).toBeGreaterThanOrEqual(9)
    expect(lists.answered).toBeGreaterThanOrEqual(own.length)
  })

  it("leaves tenant B's resources as B left them", async () => {
    const b = tokenOf[B]!
    expect(await ok('broadcast', { method: 'GET', url: `/v1/broadcasts/${bIds.broadcast}`, token: b.operator })).toMatchObject({ status: 'draft', draft: { title: MARK } })
    expect(await ok('broadcast', { method: 'GET', url: `/v1/emergencies/${bIds.emergency}`, token: b.admin })).toMatchObject({ status: 'draft' })
    expect(await ok('broadcast', { method: 'GET', url: '/v1/electoral-periods', token: b.admin })).toMatchObject({ periods: [{ id: bIds.period, name: MARK }] })
    expect(await ok('broadcast', { method: 'GET', url: '/v1/quiet-hours', token: b.admin })).toEqual(bQuietHours)
    const tokens = (await ok('broadcast', { method: 'GET', url: '/v1/tokens', token: b.admin })).tokens as Array<{ id: string; revokedAt: string | null }>
    expect(tokens.find((t) => t.id === bIds.token)).toMatchObject({ revokedAt: null })
    expect(await ok('subscriptions', { method: 'GET', url: `/staff/${B}/subscribers/${bIds.subscriber}`, token: b.desk })).toMatchObject({ subscriber: { status: 'active', blocked: false } })
    expect(await ok('subscriptions', { method: 'GET', url: `/desk/${B}/messages`, token: b.desk })).toMatchObject({ messages: [{ id: bIds.deskMessage, status: 'open' }] })
    expect(await ok('subscriptions', { method: 'GET', url: `/desk/${B}/canned-answers`, token: b.desk })).toMatchObject({ answers: [{ id: bIds.canned, title: MARK }] })
    expect(await ok('subscriptions', { method: 'GET', url: `/desk/${B}/office-hours`, token: b.desk })).toMatchObject({ overrides: [{ id: bIds.override }] })
    expect(await ok('subscriptions', { method: 'GET', url: `/staff/${B}/imports/${bIds.import}`, token: b.admin })).toMatchObject({ status: 'previewed' })
  })
})
