import { EmergencyWorkflow, safetyPollPayload } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from '../broadcast/support/in-process-worker.js'
import { audienceOf, type AudienceMember } from '../broadcast/support/subscribers.js'
import { waitUntil } from '../harness/index.js'

const ON_DUTY = { name: 'Reperibile Protezione Civile', role: 'personale di turno', phone: '+393471119100', channel: 'sms' } as const

/** How a citizen answers, or does not. */
type Plan =
  | { kind: 'button'; answer: 'ok' | 'help' }
  | { kind: 'text'; text: string; answer: 'ok' | 'help' }
  | { kind: 'silent' }
  | { kind: 'chatter'; text: string }

const OK_TEXTS = ['1', 'Sto bene', 'STO BENE!!', '1 tutto ok', 'stiamo tutti bene grazie', 'ok 👍', '1️⃣', 'tutto a posto', 'Siamo al sicuro']
const HELP_TEXTS = ['2', 'AIUTO', '2 siamo bloccati al primo piano', 'ho bisogno di aiuto', 'sos acqua in casa', 'aiutateci!!!', 'mia madre è bloccata in casa', '2️⃣', 'help']
const CHATTER = ['a che ora riapre la scuola?', 'grazie per l’avviso', 'la strada per la frazione è aperta?']

/** A seeded shuffle, so a failure can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}

/**
 * Safety polls on the real platform (ingest, moderation, subscriptions, the staff API, Temporal
 * and the worker): an alert asks 1,000 citizens "1 Sto bene / 2 Ho bisogno di aiuto"; they
 * answer in any order and any format (WhatsApp buttons, digits, words, SMS), some twice, some
 * changing their mind, some never; every answer is counted once per citizen, every help request
 * is at the top of the desk and told to the staff on duty, the reminder reaches exactly those who
 * have not answered, and the all-clear closes the poll.
 */
describe('safety polls', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let officer: string
  let desk: string
  const whatsappCitizens = audienceOf(BORGO.id, 700, { from: 60_000 })
  const smsCitizens = audienceOf(BORGO.id, 300, { from: 61_000, channel: 'sms' })
  const everyone = [...whatsappCitizens, ...smsCitizens]

  const to = (phone: string) => stack.sim.messages({ to: phone })
  const view = async (id: string) => (await stack.call('GET', `/v1/emergencies/${id}`, officer)).body
  const timelineOf = async (id: string) => (await stack.call('GET', `/v1/emergencies/${id}/timeline`, officer)).body.entries as Array<{ kind: string; actor: string; detail: Record<string, unknown> }>

  beforeAll(async () => {
    stack = await startBroadcastStack({
      moderation: true,
      whatsappMps: 400,
      smsMps: 100,
      emergency: {
        // Delivered statuses come at once: no SMS fallback in this test.
        smsFallbackAfterSeconds: 3600,
        acknowledgeWithinSeconds: 3600,
        officials: [],
        onDuty: [ON_DUTY],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it' } },
        pollTemplate: { name: 'allerta_sondaggio', languages: { it: 'it' } },
      },
      broadcastEnv: { SAFETY_POLL_CHECK_SECONDS: '1' },
    })
    await stack.audience.add(everyone)
    worker = await startInProcessWorker(stack, { replies: true })
    officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
    desk = await stack.token('desk', 'sportello@borgo.example')
  }, 300_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('counts 1,000 citizens once each, puts help requests first on the desk, reminds the silent ones, and closes with the all-clear', async () => {
    // Refused on an all-clear, before anything is sent.
    const refused = await stack.call('POST', '/v1/emergencies', officer, {
      kind: 'cancel',
      references: '00000000-0000-4000-8000-000000000000',
      severity: 'Minor',
      urgency: 'Past',
      headline: { it: 'Cessato allarme' },
      description: { it: 'Fine.' },
      poll: {},
    })
    expect(refused.status).toBe(422)
    expect(JSON.stringify(refused.body)).toContain('/poll')

    const created = await stack.call('POST', '/v1/emergencies', officer, {
      severity: 'Extreme',
      urgency: 'Immediate',
      headline: { it: 'Esondazione del torrente' },
      description: { it: 'Il torrente è esondato nella zona bassa del paese.' },
      instruction: { it: 'Salite ai piani alti e non usate l’auto.' },
      poll: { reminderAfterSeconds: 86_400, openForSeconds: 3600 },
      trigger: { reason: 'esondazione in corso' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id as string
    expect(created.body.poll).toMatchObject({ reminderAfterSeconds: 86_400 })

    // Everyone has the question: WhatsApp with the two buttons, SMS with the digits to send.
    await expect.poll(() => everyone.filter((c) => to(c.phone).length > 0).length, { timeout: 120_000, interval: 200 }).toBe(1000)
    const alert = to(whatsappCitizens[0]!.phone)[0]!
    expect(alert.template).toMatchObject({ name: 'allerta_sondaggio', language: 'it' })
    expect(alert.template?.buttons?.map((b) => b.payload)).toEqual([safetyPollPayload(id, 'ok'), safetyPollPayload(id, 'help')])
    const sms = to(smsCitizens[0]!.phone)[0]!
    expect(sms.text).toContain('Rispondi 1 se stai bene, 2 se hai bisogno di aiuto')
    // Citizens must be able to answer: from the number, never from an alphanumeric sender.
    expect(sms.sender).toBe(BORGO.smsNumber)
    expect(sms.text).not.toMatch(/https?:\/\/\S*poll/i)

    // Who answers how.
    const plans = new Map<string, Plan>()
    whatsappCitizens.forEach((c, i) => {
      if (i < 350) plans.set(c.phone, { kind: 'button', answer: 'ok' })
      else if (i < 400) plans.set(c.phone, { kind: 'button', answer: 'help' })
      else if (i < 500) plans.set(c.phone, { kind: 'text', text: OK_TEXTS[i % OK_TEXTS.length]!, answer: 'ok' })
      else if (i < 600) plans.set(c.phone, { kind: 'text', text: HELP_TEXTS[i % HELP_TEXTS.length]!, answer: 'help' })
      else if (i < 620) plans.set(c.phone, { kind: 'chatter', text: CHATTER[i % CHATTER.length]! })
      else plans.set(c.phone, { kind: 'silent' })
    })
    smsCitizens.forEach((c, i) => {
      if (i < 180) plans.set(c.phone, { kind: 'text', text: OK_TEXTS[i % OK_TEXTS.length]!, answer: 'ok' })
      else if (i < 250) plans.set(c.phone, { kind: 'text', text: HELP_TEXTS[i % HELP_TEXTS.length]!, answer: 'help' })
      else plans.set(c.phone, { kind: 'silent' })
    })
    const answerOf = (c: AudienceMember) => plans.get(c.phone)!
    const send = async (c: AudienceMember, plan: Plan) => {
      if (plan.kind === 'silent') return
      if (c.channel === 'sms') {
        const text = plan.kind === 'button' ? (plan.answer === 'ok' ? '1' : '2') : plan.text
        await stack.sim.injectSms({ to: BORGO.smsNumber, from: c.phone, body: text })
      } else if (plan.kind === 'button') {
        await stack.sim.injectWhatsApp({ to: BORGO.whatsappNumber, from: c.phone, reply: { id: safetyPollPayload(id, plan.answer) } })
      } else {
        await stack.sim.injectWhatsApp({ to: BORGO.whatsappNumber, from: c.phone, text: plan.text })
      }
    }
    // Any order; 40 answer twice the same; 30 say they are fine, then ask for help.
    const answering = everyone.filter((c) => answerOf(c).kind !== 'silent')
    await inBatches(shuffled(answering, 7), 16, async (c) => await send(c, answerOf(c)))
    const twice = whatsappCitizens.slice(0, 20).concat(smsCitizens.slice(0, 20))
    await inBatches(twice, 16, async (c) => await send(c, answerOf(c)))
    const changed = whatsappCitizens.slice(20, 50)
    await inBatches(changed, 16, async (c) => await send(c, { kind: 'text', text: '2 adesso l’acqua sale, aiuto', answer: 'help' }))
    for (const c of changed) plans.set(c.phone, { kind: 'text', text: '2', answer: 'help' })

    const expected = { ok: 0, help: 0 }
    for (const plan of plans.values()) if (plan.kind === 'button' || plan.kind === 'text') expected[plan.answer]++
    expect(expected.ok + expected.help).toBe(850)

    // Counted once each, by their latest answer: live on the alert.
    await expect.poll(async () => (await view(id)).poll?.tally, { timeout: 180_000, interval: 500 }).toMatchObject({ state: 'open', ok: expected.ok, help: expected.help })

    // Every help request is at the top of the desk, ahead of the ordinary conversations.
    const helpers = everyone.filter((c) => {
      const plan = answerOf(c)
      return (plan.kind === 'button' || plan.kind === 'text') && plan.answer === 'help'
    })
    const subscriptionsUrl = stack.world.url('subscriptions')
    const conversations = await waitUntil(
      async () => {
        const response = await fetch(`${subscriptionsUrl}/desk/${BORGO.id}/conversations?status=open`, { headers: { authorization: `Bearer ${desk}` } })
        if (response.status !== 200) return undefined
        const body = (await response.json()) as { conversations: Array<{ phone: string; urgentCount: number }> }
        return body.conversations.filter((c) => c.urgentCount > 0).length === helpers.length ? body.conversations : undefined
      },
      { timeoutMs: 60_000, what: 'every help request on the desk' },
    )
    expect(new Set(conversations.slice(0, helpers.length).map((c) => c.phone))).toEqual(new Set(helpers.map((c) => c.phone)))
    expect(conversations.slice(helpers.length).every((c) => c.urgentCount === 0)).toBe(true)
    // The chatter is not an answer: it stays an ordinary message.
    const settled = (await view(id)).poll.tally
    expect(settled.ok + settled.help).toBe(850)

    // The staff on duty were told of every help request (in one or more notices).
    await expect
      .poll(async () => (await timelineOf(id)).filter((e) => e.kind === 'poll-help').reduce((sum, e) => sum + Number(e.detail.new), 0), { timeout: 60_000, interval: 500 })
      .toBe(expected.help)
    expect(to(ON_DUTY.phone).some((m) => m.text?.includes('RICHIESTE DI AIUTO'))).toBe(true)
    expect(to(ON_DUTY.phone).every((m) => !helpers.some((h) => m.text?.includes(h.phone)))).toBe(true)

    // Citizens got their thanks, once per answer that changed something.
    const helpThanks = (phone: string) => to(phone).filter((m) => (m.text ?? '').includes('Abbiamo ricevuto la tua richiesta di aiuto'))
    await expect.poll(() => helpers.filter((c) => helpThanks(c.phone).length === 1).length, { timeout: 60_000, interval: 500 }).toBe(helpers.length)

    // The reminder, now: exactly to those asked who have not answered.
    const before = new Map(everyone.map((c) => [c.phone, to(c.phone).length]))
    const remind = await stack.call('POST', `/v1/emergencies/${id}/poll/reminder`, officer)
    expect(remind.status, JSON.stringify(remind.body)).toBe(200)
    const silent = everyone.filter((c) => ['silent', 'chatter'].includes(answerOf(c).kind))
    expect(silent.length).toBe(150)
    await expect.poll(() => silent.filter((c) => to(c.phone).length > before.get(c.phone)!).length, { timeout: 120_000, interval: 300 }).toBe(silent.length)
    await expect.poll(async () => (await timelineOf(id)).some((e) => e.kind === 'poll-reminder'), { timeout: 60_000, interval: 300 }).toBe(true)
    const answered = everyone.filter((c) => !silent.includes(c))
    // Nobody who answered was reminded (their thanks came before the reminder was asked for).
    expect(answered.filter((c) => to(c.phone).slice(before.get(c.phone)!).some((m) => m.template?.name === 'allerta_sondaggio' || (m.text ?? '').includes('PROMEMORIA')))).toEqual([])
    const reminderSms = to(smsCitizens.find((c) => silent.includes(c))!.phone).at(-1)!
    expect(reminderSms.text).toContain('PROMEMORIA')
    expect(reminderSms.text).toContain('Rispondi 1 se stai bene')

    // The all-clear closes the poll: later answers are ordinary messages.
    const allClear = await stack.call('POST', '/v1/emergencies', officer, {
      kind: 'cancel',
      references: id,
      severity: 'Minor',
      urgency: 'Past',
      headline: { it: 'Cessato allarme: il torrente è rientrato' },
      description: { it: 'Il livello del torrente è tornato sotto la soglia.' },
      trigger: { reason: 'fine emergenza' },
    })
    expect(allClear.status, JSON.stringify(allClear.body)).toBe(201)
    await waitUntil(async () => (await stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, id)).describe()).closeTime, { timeoutMs: 120_000, what: 'the alert to close' })
    const closed = (await timelineOf(id)).find((e) => e.kind === 'poll-closed')
    expect(closed?.detail).toMatchObject({ ok: expected.ok, help: expected.help, stoppedBy: allClear.body.id })
    const late = everyone.find((c) => answerOf(c).kind === 'silent' && c.channel === 'whatsapp')!
    await stack.sim.injectWhatsApp({ to: BORGO.whatsappNumber, from: late.phone, text: '1' })
    await expect.poll(() => to(late.phone).some((m) => m.provider === 'whatsapp-cloud' && !m.template && !(m.text ?? '').includes('Grazie, abbiamo registrato')), { timeout: 60_000, interval: 300 }).toBe(true)
    expect((await view(id)).poll.tally).toMatchObject({ state: 'closed', ok: expected.ok, help: expected.help })
    expect(stack.sim.stats().record.duplicateMessages).toBe(0)
  }, 600_000)
})
