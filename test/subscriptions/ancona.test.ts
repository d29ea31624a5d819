import type { DeskMessage } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ANCONA_TOKEN, SubscriptionsFixture } from './subscriptions-fixture.js'

// Ancona "URP su WhatsApp": "Iscrivimi" / "Cancellami" to 366 7695184; a virtual desk open
// Mon, Wed, Fri 9-13 and Tue, Thu 9-13 and 15-17 (Europe/Rome, closed on public holidays);
// staff answer through the desk API; outside the hours an auto-reply gives them.
describe('Ancona: the office-hours desk', () => {
  let fx: SubscriptionsFixture
  const citizen = '+393401110001'
  const stranger = '+393401110002'
  let questionId: string

  beforeAll(async () => {
    // Tuesday 10 March 2026, 10:30 in Ancona (CET).
    fx = await SubscriptionsFixture.start('2026-03-10T09:30:00Z')
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('welcomes a subscriber with the desk hours and the privacy notice', async () => {
    await fx.send('ancona', { from: citizen, text: 'Iscrivimi' })
    const [welcome, privacy] = await fx.newReplies()
    expect(welcome!.text).toContain('Benvenuto in "URP su WhatsApp" del Comune di Ancona')
    expect(welcome!.text).toContain('lunedì, mercoledì e venerdì 9-13; martedì e giovedì 9-13 e 15-17')
    expect(privacy!.text).toContain('Informativa sul trattamento dei dati personali')
  })

  it('queues a question inside office hours for staff, and acknowledges it', async () => {
    const question = await fx.send('ancona', { from: citizen, text: 'Buongiorno, quali documenti servono per la carta d’identità?' })
    const [ack] = await fx.newReplies()
    expect(ack).toMatchObject({ id: `${question.id}:desk-received` })
    const list = await fx.staff('GET', '/desk/ancona/messages', undefined, ANCONA_TOKEN)
    expect(list.statusCode).toBe(200)
    const messages = (list.json() as { messages: DeskMessage[] }).messages
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({ from: citizen, channel: 'whatsapp', status: 'open', moderation: 'allow', text: question.text, receivedAt: question.receivedAt })
    questionId = messages[0]!.id
  })

  it('sends the staff answer as an OutboundReply in the 24-hour window, once', async () => {
    fx.advanceHours(1)
    const answer = await fx.staff('POST', `/desk/ancona/messages/${questionId}/answer`, { text: "Serve una fototessera e la vecchia carta d'identità." }, ANCONA_TOKEN)
    expect(answer.statusCode).toBe(201)
    expect(answer.json()).toMatchObject({ deskMessageId: questionId, replyId: `desk:${questionId}:answer` })
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({
      id: `desk:${questionId}:answer`,
      channel: 'whatsapp',
      to: citizen,
      text: "Serve una fototessera e la vecchia carta d'identità.",
      lastInboundAt: '2026-03-10T09:30:00.000Z',
    })
    const again = await fx.staff('POST', `/desk/ancona/messages/${questionId}/answer`, { text: 'Di nuovo' }, ANCONA_TOKEN)
    expect(again.statusCode).toBe(409)
    const answered = await fx.staff('GET', '/desk/ancona/messages?status=answered', undefined, ANCONA_TOKEN)
    expect((answered.json() as { messages: DeskMessage[] }).messages[0]).toMatchObject({ status: 'answered', answeredBy: 'token:ancona-urp' })
    expect((await fx.staff('GET', '/desk/ancona/messages', undefined, ANCONA_TOKEN)).json()).toEqual({ messages: [] })
  })

  it('refuses an answer once WhatsApp would no longer carry free text', async () => {
    await fx.send('ancona', { from: citizen, text: 'Altra domanda: orari anagrafe?' })
    await fx.newReplies()
    const [open] = ((await fx.staff('GET', '/desk/ancona/messages', undefined, ANCONA_TOKEN)).json() as { messages: DeskMessage[] }).messages
    fx.advanceHours(25)
    const late = await fx.staff('POST', `/desk/ancona/messages/${open!.id}/answer`, { text: 'Scusi il ritardo' }, ANCONA_TOKEN)
    expect(late.statusCode).toBe(422)
    expect(late.json()).toMatchObject({ code: 'WINDOW_CLOSED' })
    expect(await fx.newReplies()).toEqual([])
  })

  it('answers with the hours outside them, and does not queue the message', async () => {
    fx.at('2026-03-11T12:30:00Z') // Wednesday 13:30: closed (no afternoon on Wednesday)
    const closed = await fx.send('ancona', { from: citizen, text: 'È aperto oggi pomeriggio?' })
    const [reply] = await fx.newReplies()
    expect(reply).toMatchObject({ id: `${closed.id}:desk-closed` })
    expect(reply!.text).toContain('lo sportello ora è chiuso')
    expect(reply!.text).toContain('martedì e giovedì 9-13 e 15-17')
    const queued = await fx.db.selectFrom('desk_message').select('inbound_message_id').execute()
    expect(queued.map((q) => q.inbound_message_id)).not.toContain(closed.id)
  })

  it('is closed on Easter Monday, computed for the year', async () => {
    fx.at('2026-04-06T08:00:00Z') // Monday 6 April 2026, 10:00 CEST: Easter Monday
    const holiday = await fx.send('ancona', { from: citizen, text: 'Siete aperti?' })
    expect((await fx.newReplies()).map((r) => r.id)).toEqual([`${holiday.id}:desk-closed`])
    fx.at('2026-04-07T08:00:00Z') // Tuesday 10:00: open again
    const tuesday = await fx.send('ancona', { from: citizen, text: 'E oggi?' })
    expect((await fx.newReplies()).map((r) => r.id)).toEqual([`${tuesday.id}:desk-received`])
  })

  it('tells someone not subscribed how to join the desk, once per interval', async () => {
    await fx.send('ancona', { from: stranger, text: 'Info sulla TARI?' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('per usare lo sportello virtuale invia prima ISCRIVIMI')
    await fx.send('ancona', { from: stranger, text: 'Mi rispondete?' })
    expect(await fx.newReplies()).toEqual([])
  })

  it('keeps staff of Ancona out of other tenants and validates ids', async () => {
    expect((await fx.staff('GET', '/desk/corbetta/messages', undefined, ANCONA_TOKEN)).statusCode).toBe(403)
    expect((await fx.staff('GET', '/desk/ancona/messages?status=closed', undefined, ANCONA_TOKEN)).statusCode).toBe(400)
    expect((await fx.staff('POST', '/desk/ancona/messages/not-a-uuid/answer', { text: 'x' }, ANCONA_TOKEN)).statusCode).toBe(404)
    expect((await fx.staff('POST', '/desk/ancona/messages/00000000-0000-4000-8000-000000000000/answer', { text: 'x' }, ANCONA_TOKEN)).statusCode).toBe(404)
    expect((await fx.staff('POST', `/desk/ancona/messages/${questionId}/answer`, { text: '' }, ANCONA_TOKEN)).statusCode).toBe(400)
  })

  it('unsubscribes on "Cancellami" and stops queuing that citizen', async () => {
    fx.at('2026-04-07T09:00:00Z')
    await fx.send('ancona', { from: citizen, text: 'Cancellami' })
    const [reply] = await fx.newReplies()
    expect(reply!.text).toContain('URP su WhatsApp: cancellazione eseguita')
    fx.at('2026-04-09T08:00:00Z') // Thursday 10:00, open
    const after = await fx.send('ancona', { from: citizen, text: 'Ancora una domanda' })
    expect((await fx.newReplies()).map((r) => r.id)).toEqual([`${after.id}:auto-reply`])
  })
})
