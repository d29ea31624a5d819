import { broadcastCorrelationPrefix, RecurringBroadcastWorkflow } from '@banditore/contracts'
import { ScheduleNotFoundError } from '@temporalio/client'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { ADMIN_TOKEN, startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'
import { audienceOf } from './support/subscribers.js'

/** Local `YYYY-MM-DDTHH:MM:SS` in Europe/Rome, `seconds` from now (whole seconds). */
const romeIn = (seconds: number) =>
  new Intl.DateTimeFormat('sv-SE', {
    timeZone: 'Europe/Rome',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(Date.now() + seconds * 1000))
    .replace(' ', 'T')

const WASTE_TEXT = 'Domani raccolta della carta: esporre il contenitore entro le 20.'
const waste = {
  title: 'Raccolta carta',
  topics: ['rifiuti'],
  whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: [WASTE_TEXT] } } },
}
const market = {
  title: 'Mercato settimanale',
  topics: ['mercato'],
  sms: { texts: { it: 'Comune di Borgo: domani mercato in piazza Garibaldi dalle 8 alle 13.' } },
}
const MARKET_MOVED = 'Comune di Borgo: domani il mercato si sposta in via Dante per lavori in piazza, dalle 8 alle 13.'

type Occurrence = { at: string; state: string; broadcastId: string | null; draft: unknown; reason: string | null }

/**
 * Recurring broadcasts on the real platform: the staff API (four eyes, skip, edit), Temporal
 * Schedules starting one occurrence workflow per time on the worker, the worker asking the staff
 * API over NATS what to send, and each occurrence sent as an ordinary broadcast through the
 * provider simulator, each once, across a restart of the worker.
 */
describe('recurring broadcasts', () => {
  let stack: BroadcastStack
  let worker: RunningWorker | undefined
  let operator: string
  let approver: string
  /** An approver token held by the operator's own person: four eyes refuse it. */
  let operatorAsApprover: string

  const wasteCitizens = audienceOf(BORGO.id, 5, { topics: ['rifiuti'] })
  const marketCitizens = audienceOf(BORGO.id, 3, { from: 100, channel: 'sms', topics: ['mercato'] })

  beforeAll(async () => {
    stack = await startBroadcastStack({ extraTopics: ['rifiuti', 'mercato'] })
    await stack.audience.add([...wasteCitizens, ...marketCitizens])
    worker = await startInProcessWorker(stack)
    operator = await stack.token('operator', 'ufficio.ambiente@borgo.example')
    approver = await stack.token('approver', 'segreteria@borgo.example')
    operatorAsApprover = await stack.token('approver', 'ufficio.ambiente@borgo.example')
  }, 120_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  const occurrencesOf = async (id: string): Promise<Occurrence[]> => {
    const listed = await stack.call('GET', `/v1/recurring-broadcasts/${id}/occurrences`, operator)
    expect(listed.status, JSON.stringify(listed.body)).toBe(200)
    return listed.body.occurrences as Occurrence[]
  }
  const completed = async (broadcastId: string) => (await stack.call('GET', `/v1/broadcasts/${broadcastId}/progress`, operator)).body?.status === 'completed'

  it('refuses invalid recurrences, an unknown tenant, and the approval of the series by its author', async () => {
    const create = (recurrence: unknown, token = operator) => stack.call('POST', '/v1/recurring-broadcasts', token, { ...waste, recurrence })
    // Outside the schema: an Italian weekday name, a day not every month has.
    expect((await create({ every: 'week', weekdays: ['lunedi'], at: '18:00', from: '2027-01-01', until: '2027-06-30' })).status).toBe(400)
    expect((await create({ every: 'month', day: 31, at: '18:00', from: '2027-01-01', until: '2027-06-30' })).status).toBe(400)
    expect((await create({ every: 'week', weekdays: ['monday'], at: '18:00' })).status).toBe(400)
    // Inside the schema but not a series that can be: a clear reason, in Italian.
    expect(await create({ dates: ['2020-01-07T18:00'] })).toMatchObject({ status: 422, body: { code: 'RECURRENCE_INVALID', detail: '/recurrence/dates/0: la data 2020-01-07T18:00 è già passata' } })
    expect(await create({ dates: ['2031-02-30T18:00'] })).toMatchObject({ status: 422, body: { detail: expect.stringContaining('2031-02-30T18:00 non esiste') } })
    expect(await create({ every: 'week', weekdays: ['monday'], at: '18:00', from: '2031-03-10', until: '2031-03-01' })).toMatchObject({
      status: 422,
      body: { code: 'RECURRENCE_INVALID', detail: expect.stringContaining('la data di fine deve seguire quella di inizio') },
    })
    expect(await create({ every: 'month', day: 1, at: '09:00', from: '2031-01-01', until: '2033-01-01' })).toMatchObject({ status: 422, body: { detail: expect.stringContaining('al massimo 400 giorni') } })
    // A draft the tenant cannot send is refused as a broadcast draft is.
    expect(await stack.call('POST', '/v1/recurring-broadcasts', operator, { ...waste, topics: ['caccia'], recurrence: { dates: ['2031-01-07T18:00'] } })).toMatchObject({
      status: 422,
      body: { code: 'DRAFT_INVALID' },
    })
    // A platform admin names the tenant; one no tenant file defines is refused.
    expect(await stack.call('GET', '/v1/recurring-broadcasts?tenant=atlantide', ADMIN_TOKEN)).toMatchObject({ status: 422, body: { code: 'UNKNOWN_TENANT' } })
    expect(await stack.call('POST', '/v1/recurring-broadcasts', ADMIN_TOKEN, { ...waste, recurrence: { dates: ['2031-01-07T18:00'] } })).toMatchObject({ status: 403 })

    const weekly = await create({ every: 'week', weekdays: ['monday', 'thursday'], at: '18:00', from: '2031-01-01', until: '2031-12-31' })
    expect(weekly.status, JSON.stringify(weekly.body)).toBe(201)
    expect(weekly.body).toMatchObject({ status: 'draft', timeZone: 'Europe/Rome', nextAt: '2031-01-02T17:00:00.000Z', outboundCheck: { state: 'clean' } })
    // Summer time: 18:00 in Rome is 16:00 UTC.
    const upcoming = await occurrencesOf(weekly.body.id)
    expect(upcoming.slice(0, 3).map((o) => o.at)).toEqual(['2031-01-02T17:00:00.000Z', '2031-01-06T17:00:00.000Z', '2031-01-09T17:00:00.000Z'])
    expect((await stack.call('GET', `/v1/recurring-broadcasts/${weekly.body.id}/occurrences?limit=40`, operator)).body.occurrences.find((o: Occurrence) => o.at.startsWith('2031-04-07'))?.at).toBe('2031-04-07T16:00:00.000Z')

    expect((await stack.call('POST', `/v1/recurring-broadcasts/${weekly.body.id}/approve`, operator, {})).status).toBe(403)
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${weekly.body.id}/approve`, operatorAsApprover, {})).toMatchObject({
      status: 403,
      body: { code: 'FOUR_EYES', detail: expect.stringContaining('quattro occhi') },
    })
    // Approved by someone else: its schedule exists in Temporal, in Rome's time; cancelled: gone.
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${weekly.body.id}/approve`, approver, {})).toMatchObject({ status: 200, body: { status: 'active' } })
    const handle = stack.client.schedule.getHandle(RecurringBroadcastWorkflow.scheduleId(BORGO.id, weekly.body.id))
    const described = await handle.describe()
    expect(described.spec.timezone).toBe('Europe/Rome')
    expect(described.info.nextActionTimes[0]?.toISOString()).toBe('2031-01-02T17:00:00.000Z')
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${weekly.body.id}/cancel`, operator, {})).toMatchObject({ status: 200, body: { status: 'cancelled', nextAt: null } })
    await expect(handle.describe()).rejects.toBeInstanceOf(ScheduleNotFoundError)
    const audit = (await stack.call('GET', `/v1/recurring-broadcasts/${weekly.body.id}/audit`, operator)).body.entries as Array<{ action: string; holder: string }>
    expect(audit.map((e) => [e.action, e.holder])).toEqual([
      ['created', 'ufficio.ambiente@borgo.example'],
      ['approved', 'segreteria@borgo.example'],
      ['cancelled', 'ufficio.ambiente@borgo.example'],
    ])
    // The series' trail only grows.
    await expect(sql`update broadcast.recurring_audit set detail = '{}'`.execute(stack.db)).rejects.toThrow(/recurring_audit is append-only/)
  }, 60_000)

  it('sends each occurrence once to every subscriber across a worker restart; a skipped one sends nothing, an edited one its new text', async () => {
    // Announced dates, seconds apart (local time of Rome, as staff write them).
    const wasteDates = [romeIn(20), romeIn(45), romeIn(70)]
    const marketDates = [romeIn(25), romeIn(50)]
    const created = await stack.call('POST', '/v1/recurring-broadcasts', operator, { ...waste, recurrence: { dates: wasteDates } })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const wasteId = created.body.id as string
    const marketId = (await stack.call('POST', '/v1/recurring-broadcasts', operator, { ...market, recurrence: { dates: marketDates } })).body.id as string
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${wasteId}/approve`, operatorAsApprover, {})).toMatchObject({ status: 403, body: { code: 'FOUR_EYES' } })
    for (const id of [wasteId, marketId]) {
      const approved = await stack.call('POST', `/v1/recurring-broadcasts/${id}/approve`, approver, { note: 'calendario 2026' })
      expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    }
    const wasteTimes = (await occurrencesOf(wasteId)).map((o) => o.at)
    expect(wasteTimes).toHaveLength(3)
    const [skippedAt, editedAt] = (await occurrencesOf(marketId)).map((o) => o.at) as [string, string]

    // The market's first occurrence is skipped; its second gets another text, which an approver
    // other than its editor must approve before it goes.
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${marketId}/occurrences/${skippedAt}/skip`, operator, { reason: 'festa patronale' })).toMatchObject({
      status: 200,
      body: { state: 'skipped', reason: 'festa patronale' },
    })
    const edited = await stack.call('PUT', `/v1/recurring-broadcasts/${marketId}/occurrences/${editedAt}`, operator, { ...market, sms: { texts: { it: MARKET_MOVED } } })
    expect(edited).toMatchObject({ status: 200, body: { state: 'edit-pending' } })
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${marketId}/occurrences/${editedAt}/approve`, operatorAsApprover, {})).toMatchObject({ status: 403, body: { code: 'FOUR_EYES' } })
    expect(await stack.call('POST', `/v1/recurring-broadcasts/${marketId}/occurrences/${editedAt}/approve`, approver, {})).toMatchObject({ status: 200, body: { state: 'edited' } })
    // A time that is not one of the series' is not an occurrence.
    expect((await stack.call('POST', `/v1/recurring-broadcasts/${marketId}/occurrences/2031-01-01T00:00:00.000Z/skip`, operator, {})).status).toBe(404)

    // The first waste occurrence goes and completes; then the worker stops.
    const first = await waitUntil(async () => (await occurrencesOf(wasteId))[0]?.broadcastId, { timeoutMs: 60_000, what: 'the first occurrence dispatched' })
    await waitUntil(() => completed(first), { timeoutMs: 30_000, what: 'the first occurrence sent' })
    // Its occurrence workflow closes too (the schedule buffers the next one while it is open).
    const schedule = stack.client.schedule.getHandle(RecurringBroadcastWorkflow.scheduleId(BORGO.id, wasteId))
    const started = await waitUntil(async () => (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId, { what: 'the first occurrence workflow' })
    expect(await stack.client.workflow.getHandle(started).result()).toMatchObject({ outcome: 'sent', broadcastId: first, scheduledAt: wasteTimes[0] })
    await worker?.stop()
    worker = undefined
    // The second comes due while no worker runs: the schedule starts its workflow all the same.
    await waitUntil(async () => (await schedule.describe()).info.recentActions.length >= 2, { timeoutMs: 60_000, what: 'the second occurrence started by the schedule' })
    worker = await startInProcessWorker(stack)

    const done = await waitUntil(
      async () => {
        const all = await occurrencesOf(wasteId)
        const ids = all.map((o) => o.broadcastId)
        if (all.length !== 3 || ids.some((id) => id === null)) return undefined
        for (const id of ids) if (!(await completed(id as string))) return undefined
        return ids as string[]
      },
      { timeoutMs: 90_000, intervalMs: 250, what: 'the three waste occurrences sent' },
    )
    expect(new Set(done).size).toBe(3)
    // Each occurrence reached each citizen once: three messages per citizen, one per occurrence.
    for (const id of done) {
      const sent = stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
      expect(sent.map((m) => m.to).sort()).toEqual(wasteCitizens.map((c) => c.phone).sort())
    }
    for (const citizen of wasteCitizens) expect(stack.sim.messages({ to: citizen.phone })).toHaveLength(3)

    // The market: the skipped occurrence sent nothing, the edited one its new text, once each.
    const marketOccurrences = await waitUntil(
      async () => {
        const all = await occurrencesOf(marketId)
        const sent = all.find((o) => o.at === editedAt)?.broadcastId
        return sent && (await completed(sent)) && all.find((o) => o.at === skippedAt)?.state === 'skipped' && new Date(skippedAt) < new Date() ? all : undefined
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the edited market occurrence sent' },
    )
    expect(marketOccurrences.map((o) => o.state)).toEqual(['skipped', 'dispatched'])
    expect(marketOccurrences[0]?.broadcastId).toBeNull()
    for (const citizen of marketCitizens) {
      const received = stack.sim.messages({ to: citizen.phone })
      expect(received.map((m) => m.text)).toEqual([MARKET_MOVED])
    }

    // Each occurrence is an ordinary broadcast: its own record, progress and audit trail.
    const broadcast = await stack.call('GET', `/v1/broadcasts/${done[1]}`, operator)
    expect(broadcast.body).toMatchObject({ status: 'completed', draft: { title: 'Raccolta carta' }, approvedBy: expect.any(String) })
    const broadcastAudit = (await stack.call('GET', `/v1/broadcasts/${done[1]}/audit`, operator)).body.entries as Array<{ action: string; detail: Record<string, unknown> }>
    expect(broadcastAudit.map((e) => e.action)).toEqual(['recurring-occurrence', 'run-finished'])
    expect(broadcastAudit[0]?.detail).toMatchObject({ seriesId: wasteId, scheduledAt: wasteTimes[1], edited: false })
    const seriesAudit = (await stack.call('GET', `/v1/recurring-broadcasts/${wasteId}/audit`, operator)).body.entries as Array<{ action: string }>
    expect(seriesAudit.map((e) => e.action)).toEqual(['created', 'approved', 'occurrence-dispatched', 'occurrence-dispatched', 'occurrence-dispatched'])
    const marketAudit = (await stack.call('GET', `/v1/recurring-broadcasts/${marketId}/audit`, operator)).body.entries as Array<{ action: string }>
    expect(marketAudit.map((e) => e.action)).toEqual(['created', 'approved', 'occurrence-skipped', 'occurrence-edited', 'occurrence-edit-approved', 'occurrence-dispatched'])

    // Past its last date the series has ended.
    expect((await stack.call('GET', `/v1/recurring-broadcasts/${wasteId}`, operator)).body).toMatchObject({ status: 'ended', nextAt: null })
    // Personal data never reaches the logs.
    expect(stack.logs.text()).not.toContain('+39347')
  }, 240_000)
})
