import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'

const notice = {
  title: 'Seggi elettorali',
  topics: ['avvisi'],
  sms: { texts: { it: 'Comune di Borgo: domenica i seggi sono aperti dalle 7 alle 23. Portate la tessera elettorale.' } },
}
const propaganda = {
  title: 'Propaganda',
  topics: ['avvisi'],
  sms: { texts: { it: 'Comune di Borgo: domenica votate la lista del sindaco!' } },
}
const STATEMENT = 'Informa sugli orari dei seggi: comunicazione impersonale e indispensabile al voto.'

/** Local `YYYY-MM-DDTHH:MM` in Europe/Rome, `hours` from now. */
const romeIn = (hours: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(Date.now() + hours * 3_600_000))
    .replace(' ', 'T')

/**
 * The pre-election guard (Legge 28/2000, art. 9) on the real staff API, PostgreSQL, NATS,
 * moderation's outbound check over the shipped rules, and Temporal: the tenant's calendar of
 * electoral periods, the approver's statement, political content refused, emergencies exempt.
 */
describe('pre-election guard', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string
  let admin: string
  let officer: string
  /** Political content approved before any period began. */
  let approvedBeforePeriod: string

  const draft = async (body: unknown) => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, body)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    return created.body as { id: string; outboundCheck: { categories: string[] } }
  }

  beforeAll(async () => {
    stack = await startBroadcastStack({
      emergency: {
        smsFallbackAfterSeconds: 300,
        acknowledgeWithinSeconds: 600,
        officials: [{ name: 'Sindaco', role: 'sindaco', phone: '+393471110001', channel: 'sms' }],
        onDuty: [],
      },
    })
    operator = await stack.token('operator', 'carla@borgo.example')
    approver = await stack.token('approver', 'dario@borgo.example')
    admin = await stack.token('admin', 'segretario@borgo.example')
    officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
  })
  afterAll(async () => {
    await stack?.stop()
  })

  it('keeps a calendar of electoral periods that admins and approvers set and everyone reads', async () => {
    expect((await stack.call('GET', '/v1/electoral-periods', operator)).body).toEqual({ inForce: null, periods: [] })
    const future = { kind: 'european', name: 'Elezioni europee 2029', startsAt: '2029-04-10T00:00', endsAt: '2029-06-09T23:00' }
    expect((await stack.call('POST', '/v1/electoral-periods', operator, future)).status).toBe(403)
    const created = await stack.call('POST', '/v1/electoral-periods', admin, future)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    // Local times of Europe/Rome: summer time, two hours ahead of UTC.
    expect(created.body).toMatchObject({ kind: 'european', startsAt: '2029-04-09T22:00:00.000Z', endsAt: '2029-06-09T21:00:00.000Z', startsAtLocal: '2029-04-10T00:00', inForce: false })
    const changed = await stack.call('PUT', `/v1/electoral-periods/${created.body.id}`, approver, { ...future, name: 'Europee 2029' })
    expect(changed.body).toMatchObject({ id: created.body.id, name: 'Europee 2029' })
    expect((await stack.call('GET', '/v1/electoral-periods', operator)).body).toMatchObject({ inForce: null, periods: [{ id: created.body.id }] })
    expect((await stack.call('DELETE', `/v1/electoral-periods/${created.body.id}`, admin)).status).toBe(204)
    expect((await stack.call('DELETE', `/v1/electoral-periods/${created.body.id}`, admin)).body.code).toBe('ELECTORAL_PERIOD_NOT_FOUND')
    expect((await stack.call('GET', '/v1/electoral-periods', operator)).body.periods).toEqual([])
  })

  it('refuses a period whose dates cannot be, saying why, and stores nothing', async () => {
    const backwards = await stack.call('POST', '/v1/electoral-periods', admin, { kind: 'municipal', name: 'Comunali', startsAt: '2029-05-10T00:00', endsAt: '2029-05-01T23:00' })
    expect(backwards).toMatchObject({ status: 422, body: { code: 'ELECTORAL_PERIOD_INVALID', detail: expect.stringContaining('chiusura dei seggi') } })
    const noSuchDay = await stack.call('POST', '/v1/electoral-periods', admin, { kind: 'municipal', name: 'Comunali', startsAt: '2029-02-30T00:00', endsAt: '2029-05-01T23:00' })
    expect(noSuchDay).toMatchObject({ status: 422, body: { detail: expect.stringContaining('2029-02-30T00:00 non esiste') } })
    expect((await stack.call('POST', '/v1/electoral-periods', admin, { kind: 'primarie', name: 'Primarie', startsAt: '2029-05-01T00:00', endsAt: '2029-05-02T00:00' })).status).toBe(400)
    expect((await stack.call('GET', '/v1/electoral-periods', operator)).body.periods).toEqual([])
  })

  it('outside a period, an approver may approve flagged content by acknowledging it, without a statement', async () => {
    const flagged = await draft(propaganda)
    expect(flagged.outboundCheck.categories).toContain('political-propaganda')
    const approved = await stack.call('POST', `/v1/broadcasts/${flagged.id}/approve`, approver, { acknowledgeFindings: true })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    expect(approved.body.approvalStatement).toBeNull()
    approvedBeforePeriod = flagged.id
  })

  it('during a period, needs a statement to approve, records it, and refuses political content whoever approves', async () => {
    const clean = await draft(notice)
    const flagged = await draft(propaganda)
    const period = await stack.call('POST', '/v1/electoral-periods', approver, { kind: 'municipal', name: 'Elezioni comunali', startsAt: romeIn(-24), endsAt: romeIn(24) })
    expect(period.body.inForce).toBe(true)
    expect((await stack.call('GET', '/v1/electoral-periods', operator)).body.inForce).toMatchObject({ id: period.body.id, name: 'Elezioni comunali' })

    const silent = await stack.call('POST', `/v1/broadcasts/${clean.id}/approve`, approver, {})
    expect(silent).toMatchObject({ status: 422, body: { code: 'ELECTORAL_STATEMENT_REQUIRED', detail: expect.stringContaining('impersonale e indispensabile') } })
    const terse = await stack.call('POST', `/v1/broadcasts/${clean.id}/approve`, approver, { statement: 'serve' })
    expect(terse.body.code).toBe('ELECTORAL_STATEMENT_REQUIRED')
    // Refused: still a draft.
    expect((await stack.call('GET', `/v1/broadcasts/${clean.id}`, operator)).body.status).toBe('draft')

    const approved = await stack.call('POST', `/v1/broadcasts/${clean.id}/approve`, approver, { statement: STATEMENT })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    expect(approved.body.approvalStatement).toEqual({ text: STATEMENT, electoralPeriod: 'Elezioni comunali' })
    const audit = (await stack.call('GET', `/v1/broadcasts/${clean.id}/audit`, operator)).body.entries as Array<{ action: string; detail: Record<string, unknown> }>
    expect(audit.find((e) => e.action === 'approved')?.detail).toMatchObject({ statement: STATEMENT, electoralPeriod: { id: period.body.id, kind: 'municipal' } })

    for (const body of [{ statement: STATEMENT }, { statement: STATEMENT, acknowledgeFindings: true }]) {
      const refused = await stack.call('POST', `/v1/broadcasts/${flagged.id}/approve`, approver, body)
      expect(refused).toMatchObject({ status: 409, body: { code: 'ELECTORAL_POLITICAL_CONTENT', detail: expect.stringContaining('propaganda politica') } })
    }
    const tenantAdmin = await stack.call('POST', `/v1/broadcasts/${flagged.id}/approve`, await stack.token('approver', 'sindaco@borgo.example'), { statement: STATEMENT, acknowledgeFindings: true })
    expect(tenantAdmin.body.code).toBe('ELECTORAL_POLITICAL_CONTENT')

    // Approved before the period began, political content is still not sent during it.
    const send = await stack.call('POST', `/v1/broadcasts/${approvedBeforePeriod}/send`, operator, {})
    expect(send).toMatchObject({ status: 409, body: { code: 'ELECTORAL_POLITICAL_CONTENT' } })
    expect((await stack.call('GET', `/v1/broadcasts/${approvedBeforePeriod}`, operator)).body.status).toBe('approved')

    await stack.call('DELETE', `/v1/electoral-periods/${period.body.id}`, admin)
  })

  it('lets emergencies through during a period, and their record says they are exempt', async () => {
    const period = await stack.call('POST', '/v1/electoral-periods', admin, { kind: 'referendum', name: 'Referendum', startsAt: romeIn(-1), endsAt: romeIn(1) })
    const created = await stack.call('POST', '/v1/emergencies', officer, {
      severity: 'Severe',
      urgency: 'Immediate',
      headline: { it: 'Allerta esondazione' },
      description: { it: 'Il torrente ha superato la soglia di guardia.' },
      trigger: { reason: 'esondazione in corso' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const timeline = (await stack.call('GET', `/v1/emergencies/${created.body.id}/timeline`, officer)).body.entries as Array<{ kind: string; detail: Record<string, unknown> }>
    expect(timeline.find((e) => e.kind === 'electoral-exemption')?.detail).toMatchObject({
      electoralPeriod: { id: period.body.id, name: 'Referendum' },
      note: expect.stringContaining('esente'),
    })
    await stack.call('DELETE', `/v1/electoral-periods/${period.body.id}`, admin)
  })
})
