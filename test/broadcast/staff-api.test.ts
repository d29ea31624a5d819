import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_TOKEN, startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'

const draft = {
  title: 'Raccolta rifiuti',
  topics: ['avvisi'],
  sms: { texts: { it: 'Comune di Borgo: la raccolta della carta è spostata a giovedì.' } },
}

/** The staff API's rules, over real PostgreSQL, NATS and Temporal (no worker needed here). */
describe('staff API', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string

  beforeAll(async () => {
    stack = await startBroadcastStack()
    operator = await stack.token('operator', 'carla@borgo.example')
    approver = await stack.token('approver', 'dario@borgo.example')
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('serves its OpenAPI description and the docs page', async () => {
    const spec = await stack.api.inject({ method: 'GET', url: '/docs/json' })
    expect(spec.statusCode).toBe(200)
    const document = spec.json()
    expect(document.openapi).toMatch(/^3\./)
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/v1/broadcasts', '/v1/broadcasts/{id}/approve', '/v1/broadcasts/{id}/progress', '/v1/tokens']),
    )
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(JSON.stringify(document)).not.toContain('~kind')
    const page = await stack.api.inject({ method: 'GET', url: '/docs/' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toContain('text/html')
  })

  it('refuses requests without a valid token, and revoked tokens', async () => {
    expect(await stack.call('GET', '/v1/broadcasts', undefined)).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } })
    expect((await stack.call('GET', '/v1/broadcasts', 'bnd_not-a-real-token')).status).toBe(401)
    const created = await stack.call('POST', '/v1/tokens', ADMIN_TOKEN, { tenant: BORGO.id, role: 'operator', holder: 'temp@borgo.example', label: 'temporary' })
    expect(created.status).toBe(201)
    expect(created.body.token).toMatch(/^bnd_[A-Za-z0-9_-]{43}$/)
    expect((await stack.call('GET', '/v1/me', created.body.token)).body).toMatchObject({ role: 'operator', tenant: BORGO.id, holder: 'temp@borgo.example' })
    expect((await stack.call('DELETE', `/v1/tokens/${created.body.id}`, ADMIN_TOKEN)).body.revokedAt).not.toBeNull()
    expect((await stack.call('GET', '/v1/me', created.body.token)).status).toBe(401)
    // The secret itself is stored nowhere.
    const stored = await stack.db.withSchema('broadcast').selectFrom('api_token').select('token_hash').execute()
    expect(stored.map((r) => r.token_hash)).not.toContain(created.body.token)
  })

  it('lets only admins manage tokens, each within its tenant', async () => {
    expect((await stack.call('POST', '/v1/tokens', operator, { role: 'operator', holder: 'x@borgo.example', label: 'x' })).status).toBe(403)
    expect((await stack.call('POST', '/v1/tokens', ADMIN_TOKEN, { tenant: 'atlantide', role: 'operator', holder: 'x@y.z', label: 'x' })).body.code).toBe('UNKNOWN_TENANT')
    expect((await stack.call('POST', '/v1/tokens', ADMIN_TOKEN, { role: 'operator', holder: 'x@y.z', label: 'no tenant' })).status).toBe(403)
    const tenantAdmin = await stack.token('admin', 'sindaco@borgo.example')
    expect((await stack.call('POST', '/v1/tokens', tenantAdmin, { role: 'approver', holder: 'elena@borgo.example', label: 'e' })).body).toMatchObject({ tenant: BORGO.id, role: 'approver' })
    expect((await stack.call('POST', '/v1/tokens', tenantAdmin, { tenant: 'altrove', role: 'approver', holder: 'f@x.y', label: 'f' })).status).toBe(422)
    const listed = await stack.call('GET', '/v1/tokens', tenantAdmin)
    expect(listed.body.tokens.every((t: { tenant: string }) => t.tenant === BORGO.id)).toBe(true)
    expect(JSON.stringify(listed.body)).not.toContain('bnd_')
    expect((await stack.call('POST', '/v1/tokens', ADMIN_TOKEN, { role: 'operator', holder: 'x', label: 'bad', extra: 1 })).status).toBe(400)
  })

  it('refuses drafts the tenant cannot send, naming what is wrong', async () => {
    const refused = async (body: unknown) => (await stack.call('POST', '/v1/broadcasts', operator, body)).body
    expect(await refused({ ...draft, topics: ['sport'] })).toMatchObject({ status: 422, code: 'DRAFT_INVALID', detail: expect.stringContaining('/topics/0') })
    expect(await refused({ ...draft, languages: ['de'] })).toMatchObject({ status: 422, detail: expect.stringContaining('non usa la lingua "de"') })
    expect(await refused({ ...draft, sms: { texts: { fr: 'Seulement en français' } } })).toMatchObject({ status: 422, detail: expect.stringContaining('lingua predefinita "it"') })
    expect(await refused({ title: 'vuoto', topics: ['avvisi'] })).toMatchObject({ status: 422, detail: expect.stringContaining('modello WhatsApp, un testo SMS o entrambi') })
    expect(await refused({ ...draft, whatsapp: { templateName: 'Not Valid!', variants: {} } })).toMatchObject({ status: 400 })
    expect(await refused({ ...draft, colour: 'red' })).toMatchObject({ status: 400 })
    expect((await stack.call('POST', '/v1/broadcasts', approver, draft)).status).toBe(403)
    expect((await stack.call('GET', '/v1/broadcasts/not-a-uuid', operator)).status).toBe(400)
    expect((await stack.call('GET', '/v1/broadcasts/6f9a4e0c-58b1-4a59-9a0e-0d6c0b1e2f3a', operator)).status).toBe(404)
  })

  it('shows the outbound policy check on the draft and makes the approver acknowledge findings', async () => {
    const political = {
      title: 'Elezioni',
      topics: ['avvisi'],
      sms: { texts: { it: 'Domenica votate il nostro candidato sindaco: vota la lista civica Borgo Futuro alle elezioni!' } },
    }
    const created = await stack.call('POST', '/v1/broadcasts', operator, political)
    expect(created.status).toBe(201)
    expect(created.body.outboundCheck).toMatchObject({ state: 'flagged', categories: expect.arrayContaining(['political-propaganda']) })
    const id = created.body.id as string
    expect(await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).toMatchObject({ status: 409, body: { code: 'FINDINGS_NOT_ACKNOWLEDGED' } })
    // A bare POST (no body at all) is read as the empty object, not refused by validation.
    expect(await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver)).toMatchObject({ status: 409, body: { code: 'FINDINGS_NOT_ACKNOWLEDGED' } })

    // Rewritten, it is checked again and comes back clean.
    const edited = await stack.call('PUT', `/v1/broadcasts/${id}`, operator, draft)
    expect(edited.body.outboundCheck.state).toBe('clean')
    await stack.call('PUT', `/v1/broadcasts/${id}`, operator, political)
    const approved = await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, { acknowledgeFindings: true, note: 'comunicazione istituzionale sulle modalità di voto' })
    expect(approved.body.status).toBe('approved')
    const audit = (await stack.call('GET', `/v1/broadcasts/${id}/audit`, operator)).body.entries
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['drafted', 'edited', 'edited', 'approved'])
    expect(audit.at(-1).detail).toMatchObject({ check: 'flagged', acknowledgedFindings: true, categories: expect.arrayContaining(['political-propaganda']) })
  })

  it('cancels a draft, which can then be neither approved nor sent', async () => {
    const id = (await stack.call('POST', '/v1/broadcasts', operator, draft)).body.id as string
    expect((await stack.call('POST', `/v1/broadcasts/${id}/cancel`, operator)).body.status).toBe('cancelled')
    expect((await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).status).toBe(409)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(409)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/pause`, operator)).status).toBe(409)
  })

  it('lists the history newest first, page by page, only within the tenant', async () => {
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push((await stack.call('POST', '/v1/broadcasts', operator, { ...draft, title: `pagina ${i}` })).body.id)
    const first = await stack.call('GET', '/v1/broadcasts?limit=2', operator)
    expect(first.body.broadcasts.map((b: { id: string }) => b.id)).toEqual([ids[2], ids[1]])
    const second = await stack.call('GET', `/v1/broadcasts?limit=2&before=${first.body.next}`, operator)
    expect(second.body.broadcasts[0].id).toBe(ids[0])
    expect((await stack.call('GET', '/v1/broadcasts?before=garbage', operator)).status).toBe(422)
    expect((await stack.call('GET', '/v1/broadcasts', ADMIN_TOKEN)).status).toBe(422)
    expect((await stack.call('GET', `/v1/broadcasts?tenant=${BORGO.id}&limit=1`, ADMIN_TOKEN)).body.broadcasts).toHaveLength(1)
  })
})
