import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { ANCONA_TOKEN, STAFF_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// The desk as the console works it: conversations by citizen, the 24-hour window, answers by
// text or template, extraordinary closures and openings (which the auto-reply follows), canned
// answers, assignment, "answered", block and report, the audit trail and the live stream.
interface ConversationSummary {
  id: string
  phone: string
  openCount: number
  waitingSince: string | null
  assignedTo: string | null
  windowEndsAt: string | null
  windowOpen: boolean
}
interface ConversationDetail {
  id: string
  phone: string
  channel: string
  assignedTo: string | null
  blocked: boolean
  window: { lastInboundAt: string; endsAt: string | null; open: boolean }
  timeline: Array<{ kind: string; text: string | null; moderation?: string; status?: string; template?: string | null; sentBy?: string }>
  templates: Array<{ name: string; languageCode: string; parameters: unknown[] }>
  officeHours: { open: boolean; nextChangeAt: string | null; override: { kind: string; reason: string } | null }
}

describe('the desk in the console (subscriptions API)', () => {
  let fx: SubscriptionsFixture
  const anna = '+393401220001'
  const bruno = '+393401220002'
  const carla = '+393401220003'
  let annaId: string
  let brunoId: string

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, token: string = ANCONA_TOKEN, headers: Record<string, string> = {}) =>
    await fx.service.app.inject({ method, url, ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}), headers: { authorization: `Bearer ${token}`, ...headers } })
  const conversations = async (status = 'open', token = ANCONA_TOKEN) => ((await call('GET', `/desk/ancona/conversations?status=${status}`, undefined, token)).json() as { conversations: ConversationSummary[] }).conversations
  const detail = async (id: string, token = ANCONA_TOKEN) => (await call('GET', `/desk/ancona/conversations/${id}`, undefined, token)).json() as ConversationDetail

  beforeAll(async () => {
    // Tuesday 10 March 2026, 10:30 in Ancona: the desk is open until 13:00.
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
    await fx.send('ancona', { from: anna, text: 'Iscrivimi' })
    await fx.send('ancona', { from: bruno, text: 'Iscrivimi' })
    await fx.send('ancona', { from: carla, text: 'Iscrivimi' })
    await fx.newReplies()
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('lists conversations by citizen, oldest waiting first, with the window and the office hours', async () => {
    await fx.send('ancona', { from: anna, text: 'Quando apre l’anagrafe?' })
    fx.advanceHours(0.25)
    await fx.send('ancona', { from: bruno, text: 'Serve la prenotazione per la carta d’identità?' })
    await fx.send('ancona', { from: anna, text: 'Anche il sabato?' })
    const list = await call('GET', '/desk/ancona/conversations')
    expect(list.statusCode).toBe(200)
    const body = list.json() as { conversations: ConversationSummary[]; officeHours: ConversationDetail['officeHours'] }
    expect(body.conversations.map((c) => [c.phone, c.openCount])).toEqual([
      [anna, 2],
      [bruno, 1],
    ])
    expect(body.conversations[0]).toMatchObject({ waitingSince: '2026-03-10T09:30:00.000Z', windowOpen: true, windowEndsAt: '2026-03-11T09:45:00.000Z', assignedTo: null })
    // Open until 13:00 local (12:00 UTC).
    expect(body.officeHours).toMatchObject({ open: true, nextChangeAt: '2026-03-10T12:00:00.000Z', override: null })
    annaId = body.conversations[0]!.id
    brunoId = body.conversations[1]!.id

    const anne = await detail(annaId)
    expect(anne.timeline.map((t) => [t.kind, t.text, t.moderation])).toEqual([
      ['message', 'Quando apre l’anagrafe?', 'allow'],
      ['message', 'Anche il sabato?', 'allow'],
    ])
    expect(anne.window).toEqual({ lastInboundAt: '2026-03-10T09:45:00.000Z', endsAt: '2026-03-11T09:45:00.000Z', open: true })
    expect(anne.templates.map((t) => t.name)).toEqual(['avviso_generico', 'evento_comunale', 'avviso_viabilita'])
    await fx.newReplies()
  })

  it('answers a conversation in free text inside the window, as the person, once for every waiting message', async () => {
    fx.advanceHours(0.5)
    const answer = await call('POST', `/desk/ancona/conversations/${annaId}/answers`, { text: 'L’anagrafe apre alle 8:30; il sabato è chiusa.' })
    expect(answer.statusCode).toBe(201)
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ channel: 'whatsapp', to: anna, text: 'L’anagrafe apre alle 8:30; il sabato è chiusa.', lastInboundAt: '2026-03-10T09:45:00.000Z' })
    expect(reply!.template).toBeUndefined()
    expect((await conversations()).map((c) => c.phone)).toEqual([bruno])
    expect((await conversations('answered')).map((c) => c.phone)).toEqual([anna])
    const anne = await detail(annaId)
    expect(anne.timeline.at(-1)).toMatchObject({ kind: 'answer', sentBy: 'token:ancona-urp', template: null })
    expect(anne.timeline.filter((t) => t.kind === 'message').every((t) => t.status === 'answered')).toBe(true)
  })

  it('hides what moderation deleted, except from those who review it', async () => {
    await fx.send('ancona', { from: bruno, text: 'messaggio offensivo' }, 'delete')
    expect((await fx.newReplies()).length).toBe(0)
    expect((await detail(brunoId)).timeline.map((t) => t.moderation)).toEqual(['allow'])
    const reviewed = await detail(brunoId, STAFF_TOKEN)
    expect(reviewed.timeline.map((t) => [t.moderation, t.status])).toEqual([
      ['allow', 'open'],
      ['delete', 'answered'],
    ])
  })

  it('follows an extraordinary closure, in the state and in the citizen’s auto-reply', async () => {
    const closure = await call('POST', '/desk/ancona/office-hours/overrides', { kind: 'closed', startsAt: '2026-03-10T10:00:00Z', endsAt: '2026-03-10T11:00:00Z', reason: 'Sciopero del personale' })
    expect(closure.statusCode).toBe(201)
    const hours = (await call('GET', '/desk/ancona/office-hours')).json() as ConversationDetail['officeHours'] & { overrides: unknown[] }
    expect(hours).toMatchObject({ open: false, nextChangeAt: '2026-03-10T11:00:00.000Z', override: { kind: 'closed', reason: 'Sciopero del personale' } })
    expect(hours.overrides).toHaveLength(1)
    // Carla writes during the strike: the closure's auto-reply, and nothing queued.
    const during = await fx.send('ancona', { from: carla, text: 'C’è qualcuno?' })
    expect((await fx.newReplies()).map((r) => r.id)).toEqual([`${during.id}:desk-closed`])
    expect((await conversations('all')).map((c) => c.phone)).not.toContain(carla)
    const removed = await call('DELETE', `/desk/ancona/office-hours/overrides/${(closure.json() as { id: string }).id}`)
    expect(removed.statusCode).toBe(204)
    expect(((await call('GET', '/desk/ancona/office-hours')).json() as { open: boolean }).open).toBe(true)
  })

  it('follows an extraordinary opening on a day the desk is closed', async () => {
    fx.at('2026-03-14T09:00:00Z') // Saturday 10:00: closed by the weekly hours
    const before = await fx.send('ancona', { from: anna, text: 'Siete aperti oggi?' })
    expect((await fx.newReplies()).map((r) => r.id)).toEqual([`${before.id}:desk-closed`])
    const opening = await call('POST', '/desk/ancona/office-hours/overrides', { kind: 'open', startsAt: '2026-03-14T08:00:00Z', endsAt: '2026-03-14T12:00:00Z', reason: 'Apertura straordinaria per le elezioni' })
    expect(opening.statusCode).toBe(201)
    expect((await call('GET', '/desk/ancona/office-hours')).json()).toMatchObject({ open: true, nextChangeAt: '2026-03-14T12:00:00.000Z', override: { kind: 'open' } })
    await fx.send('ancona', { from: anna, text: 'Allora passo in mattinata' })
    await fx.newReplies()
    expect((await detail(annaId)).timeline.at(-1)).toMatchObject({ kind: 'message', text: 'Allora passo in mattinata', status: 'open' })
    expect((await call('POST', '/desk/ancona/office-hours/overrides', { kind: 'open', startsAt: '2026-03-14T12:00:00Z', endsAt: '2026-03-14T11:00:00Z', reason: 'x' })).statusCode).toBe(422)
  })

  it('outside the window refuses free text and sends an approved template as a template', async () => {
    fx.at('2026-03-16T09:00:00Z') // Monday: Bruno last wrote on Tuesday
    const late = await call('POST', `/desk/ancona/conversations/${brunoId}/answers`, { text: 'Scusi il ritardo' })
    expect(late.statusCode).toBe(422)
    expect(late.json()).toMatchObject({ code: 'WINDOW_CLOSED' })
    expect((await detail(brunoId)).window.open).toBe(false)
    expect((await call('POST', `/desk/ancona/conversations/${brunoId}/answers`, { template: { name: 'avviso_generico', parameters: ['solo uno'] } })).statusCode).toBe(422)
    expect((await call('POST', `/desk/ancona/conversations/${brunoId}/answers`, { template: { name: 'non_approvato', parameters: [] } })).statusCode).toBe(422)
    const sent = await call('POST', `/desk/ancona/conversations/${brunoId}/answers`, { template: { name: 'avviso_generico', parameters: ['la prenotazione non serve', 'www.comune.ancona.gov.it'] } })
    expect(sent.statusCode).toBe(201)
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({
      to: bruno,
      template: { name: 'avviso_generico', languageCode: 'it', bodyParameters: ['la prenotazione non serve', 'www.comune.ancona.gov.it'] },
      text: '📢 Comune di Ancona informa: la prenotazione non serve.\nPer informazioni: www.comune.ancona.gov.it',
    })
    expect((await detail(brunoId)).timeline.at(-1)).toMatchObject({ kind: 'answer', template: 'avviso_generico' })
  })

  it('assigns, marks answered, blocks and reports, each in the audit trail with the person', async () => {
    expect((await call('POST', `/desk/ancona/conversations/${annaId}/assignment`, { assignee: 'me' })).json()).toEqual({ assignedTo: 'token:ancona-urp' })
    expect((await conversations())[0]).toMatchObject({ id: annaId, assignedTo: 'token:ancona-urp' })
    expect((await call('POST', `/desk/ancona/conversations/${annaId}/answered`)).json()).toEqual({ messages: 1 })
    expect(await conversations()).toEqual([])
    expect(await fx.newReplies()).toEqual([])
    const blocked = await call('POST', `/desk/ancona/conversations/${brunoId}/block`, { reason: 'insulti ripetuti', report: true })
    expect(blocked.json()).toMatchObject({ blocked: true, changed: true })
    expect((await fx.subscriber('ancona', bruno))?.blocked_reason).toBe('segnalato: insulti ripetuti')
    const audit = (await call('GET', '/desk/ancona/audit')).json() as { entries: Array<{ action: string; actor: string; conversationId: string | null }> }
    expect(audit.entries.map((e) => e.action).reverse()).toEqual(['answered', 'closure-added', 'closure-removed', 'opening-added', 'answered', 'assigned', 'marked-answered', 'reported'])
    expect(new Set(audit.entries.map((e) => e.actor))).toEqual(new Set(['token:ancona-urp']))
  })

  it('keeps canned answers per tenant', async () => {
    const created = await call('POST', '/desk/ancona/canned-answers', { title: 'Orari anagrafe', text: 'L’anagrafe è aperta dal lunedì al venerdì, 8:30-12:30.' })
    expect(created.statusCode).toBe(201)
    const { id } = created.json() as { id: string }
    expect((await call('PUT', `/desk/ancona/canned-answers/${id}`, { title: 'Orari anagrafe', text: 'Dal lunedì al venerdì, 8:30-13.' })).statusCode).toBe(200)
    expect((await call('GET', '/desk/ancona/canned-answers')).json()).toMatchObject({ answers: [{ id, title: 'Orari anagrafe', text: 'Dal lunedì al venerdì, 8:30-13.', updatedBy: 'token:ancona-urp' }] })
    expect((await call('GET', '/desk/corbetta/canned-answers', undefined, STAFF_TOKEN)).json()).toEqual({ answers: [] })
    expect((await call('DELETE', `/desk/ancona/canned-answers/${id}`)).statusCode).toBe(204)
    expect((await call('DELETE', `/desk/ancona/canned-answers/${id}`)).statusCode).toBe(404)
    expect((await call('POST', '/desk/ancona/canned-answers', { title: ' ', text: 'x' })).statusCode).toBe(400)
  })

  it('answers 304 to an unchanged list, and streams a change as it happens', async () => {
    const first = await call('GET', '/desk/ancona/conversations?status=all')
    const etag = String(first.headers.etag)
    expect((await call('GET', '/desk/ancona/conversations?status=all', undefined, ANCONA_TOKEN, { 'if-none-match': etag })).statusCode).toBe(304)

    // The fixture's service may already listen (a world started in-process); otherwise on a free port.
    if (!fx.service.app.server.listening) await fx.service.app.listen({ host: '127.0.0.1', port: 0 })
    const { port } = fx.service.app.server.address() as AddressInfo
    const abort = new AbortController()
    const response = await fetch(`http://127.0.0.1:${port}/desk/ancona/stream`, { headers: { authorization: `Bearer ${ANCONA_TOKEN}` }, signal: abort.signal })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader()
    let received = ''
    const events = () => [...received.matchAll(/event: desk\ndata: (.*)\n\n/g)].map((m) => JSON.parse(m[1]!) as { revision: number })
    const pump = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true as const }))
        if (done) return
        received += value
      }
    })()
    await waitUntil(async () => events().length === 1, { what: 'the first desk event', timeoutMs: 10_000 })
    fx.at('2026-03-17T09:00:00Z') // Tuesday 10:00: open
    await fx.send('ancona', { from: anna, text: 'Un’altra domanda' })
    await waitUntil(async () => events().length === 2, { what: 'a desk event for the new message', timeoutMs: 10_000 })
    expect(events()[1]!.revision).toBeGreaterThan(events()[0]!.revision)
    expect((await call('GET', '/desk/ancona/conversations?status=all', undefined, ANCONA_TOKEN, { 'if-none-match': etag })).statusCode).toBe(200)
    abort.abort()
    await pump
  })

  it('keeps the desk to its role and tenant', async () => {
    expect((await call('GET', '/desk/corbetta/conversations')).statusCode).toBe(403)
    expect((await call('GET', '/desk/ancona/conversations?status=closed')).statusCode).toBe(400)
    expect((await call('GET', '/desk/ancona/conversations/not-a-uuid')).statusCode).toBe(404)
    expect((await call('POST', '/desk/ancona/conversations/00000000-0000-4000-8000-000000000000/answers', { text: 'x' })).statusCode).toBe(404)
    expect((await call('POST', `/desk/ancona/conversations/${annaId}/answers`, { text: '' })).statusCode).toBe(400)
  })
})
