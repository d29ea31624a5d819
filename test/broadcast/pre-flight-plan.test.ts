import { randomUUID } from 'node:crypto'
import { BroadcastWorkflow, broadcastCorrelationPrefix, type BroadcastRunInput } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'
import { audienceOf } from './support/subscribers.js'

/** `HH:MM` in Europe/Rome, `minutes` from now. */
const romeClock = (minutes: number) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Rome', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(Date.now() + minutes * 60_000))

const FR_LONG =
  'Commune de Borgo : la collecte des déchets est déplacée à jeudi pour toute la commune, y compris les hameaux. Merci de sortir les conteneurs la veille au soir après 20 heures.'

/**
 * The pre-flight plan and quiet hours on the real platform: subscriptions counts the audience,
 * the worker runs the broadcast on Temporal and answers its ledgers, the simulator takes the sends.
 * The tenant's WhatsApp portfolio is at Meta's first tier (250) and it has a rate card.
 */
describe('pre-flight plan and quiet hours', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let operator: string
  let approver: string
  let admin: string
  /** The broadcast the first test plans (300 on WhatsApp). */
  let planned: string

  const approved = async (body: unknown) => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, body)
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    expect((await stack.call('POST', `/v1/broadcasts/${created.body.id}/approve`, approver, {})).status).toBe(200)
    return created.body.id as string
  }
  const progressOf = async (id: string) => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body
  const sentTo = (id: string) => stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })

  beforeAll(async () => {
    stack = await startBroadcastStack({
      extraTopics: ['piano', 'altro', 'quieto', 'notte'],
      tenantFile: (document) => {
        const channels = document.channels as { whatsapp: Record<string, unknown> }
        return {
          ...document,
          channels: { ...channels, whatsapp: { ...channels.whatsapp, messagingLimit: 250 } },
          rateCard: { currency: 'EUR', whatsapp: { marketing: 0.0572, utility: 0.0248, authentication: 0.0248, service: 0 }, smsSegment: 0.07 },
          whatsappTemplates: [
            { name: 'evento_promo', label: 'Evento', category: 'marketing', parameters: [{ label: 'Testo' }], languages: { it: { code: 'it', body: '{{1}}' } } },
            { name: 'avviso_generico', label: 'Avviso', category: 'utility', parameters: [{ label: 'Testo' }], languages: { it: { code: 'it', body: '{{1}}' } } },
          ],
        }
      },
    })
    await stack.audience.add([
      ...audienceOf(BORGO.id, 300, { from: 0, topics: ['piano'] }),
      ...audienceOf(BORGO.id, 40, { from: 1000, channel: 'sms', topics: ['piano'] }),
      ...audienceOf(BORGO.id, 20, { from: 2000, channel: 'sms', language: 'fr', topics: ['piano'] }),
      ...audienceOf(BORGO.id, 25, { from: 3000, topics: ['altro'] }),
      ...audienceOf(BORGO.id, 5, { from: 4000, topics: ['quieto'] }),
    ])
    worker = await startInProcessWorker(stack)
    operator = await stack.token('operator', 'giulia@borgo.example')
    approver = await stack.token('approver', 'marco@borgo.example')
    admin = await stack.token('admin', 'segretario@borgo.example')
  })
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('plans a broadcast: audience and skipped, duration, messaging limit with proposals, cost', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, {
      title: 'Festa di piazza',
      topics: ['piano'],
      whatsapp: { templateName: 'evento_promo', variants: { it: { code: 'it', bodyParameters: ['Sabato festa in piazza'] } } },
      sms: { texts: { it: 'Comune di Borgo: sabato festa in piazza.', fr: FR_LONG } },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    planned = created.body.id as string
    const plan = await stack.call('GET', `/v1/broadcasts/${planned}/plan`, approver)
    expect(plan.status, JSON.stringify(plan.body)).toBe(200)
    expect(plan.body.audience).toMatchObject({ total: 360, byChannel: { whatsapp: 300, sms: 60 }, byChannelAndLanguage: { 'whatsapp:it': 300, 'sms:it': 40, 'sms:fr': 20 } })
    expect(plan.body.skipped).toEqual({ outsideTopics: 30, stopped: null, blocked: null })
    expect(plan.body.duration).toEqual({
      whatsapp: { recipients: 300, messagesPerSecond: 80, seconds: 3.8 },
      sms: { recipients: 60, messagesPerSecond: 10, seconds: 6 },
      seconds: 6,
    })
    // 300 WhatsApp recipients, 250 a day: two days, or 50 by SMS (the French text is two parts).
    expect(plan.body.whatsappLimit).toEqual({
      limit: 250,
      usedLast24Hours: 0,
      needed: 300,
      available: 250,
      fits: false,
      proposals: [
        { kind: 'spread', days: 2, perDay: 250 },
        { kind: 'sms-remainder', whatsapp: 250, sms: 50, smsSegments: 100 },
      ],
    })
    expect(plan.body.cost).toEqual({
      currency: 'EUR',
      whatsapp: { category: 'marketing', messages: 300, unitPrice: 0.0572, total: 17.16 },
      sms: { recipients: 60, segmentsPerMessage: 2, segments: 80, unitPrice: 0.07, total: 5.6 },
      total: 22.76,
    })
    expect(plan.body.schedule).toMatchObject({ quietHours: { enabled: false }, pauses: [] })
    expect(Date.parse(plan.body.schedule.endsAt) - Date.parse(plan.body.schedule.startsAt)).toBe(6000)
    expect(plan.body.electoralPeriod).toBeNull()
    // Citizens' numbers never travel in a plan.
    expect(JSON.stringify(plan.body)).not.toMatch(/\+39/)
    expect((await stack.call('GET', `/v1/broadcasts/${randomUUID()}/plan`, approver)).status).toBe(404)
  })

  it('lets admins set quiet hours, refusing malformed ones, and the plan shows the pause', async () => {
    expect((await stack.call('GET', '/v1/quiet-hours', operator)).body).toEqual({ enabled: false, start: '21:00', end: '08:00', timeZone: 'Europe/Rome' })
    expect((await stack.call('PUT', '/v1/quiet-hours', approver, { enabled: true, start: '21:00', end: '08:00' })).status).toBe(403)
    expect((await stack.call('PUT', '/v1/quiet-hours', admin, { enabled: true, start: '25:00', end: '08:00' })).status).toBe(400)
    const window = { enabled: true, start: romeClock(-60), end: romeClock(60) }
    expect((await stack.call('PUT', '/v1/quiet-hours', admin, window)).body).toEqual({ ...window, timeZone: 'Europe/Rome' })

    const id = (await stack.call('POST', '/v1/broadcasts', operator, { title: 'notte', topics: ['notte'], sms: { texts: { it: 'Comune di Borgo: avviso.' } } })).body.id as string
    const plan = (await stack.call('GET', `/v1/broadcasts/${id}/plan`, operator)).body
    expect(plan.schedule.quietHours).toMatchObject(window)
    expect(plan.schedule.pauses).toHaveLength(1)
    // Inside the quiet hours now: the send waits for their end.
    expect(Date.parse(plan.schedule.pauses[0].until)).toBeGreaterThan(Date.now())
    expect(Date.parse(plan.schedule.endsAt)).toBe(Date.parse(plan.schedule.pauses[0].until) + plan.duration.seconds * 1000)
  })

  it('pauses a routine broadcast inside quiet hours, sending nothing, until staff resume it', async () => {
    const window = { enabled: true, start: romeClock(-60), end: romeClock(60) }
    await stack.call('PUT', '/v1/quiet-hours', admin, window)
    const id = await approved({
      title: 'quieto',
      topics: ['quieto'],
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Avviso'] } } },
    })
    expect((await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(202)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('paused')
    // Paused by quiet hours, the workflow runs no activity: nothing can be sent until they end or staff resume.
    const handle = stack.client.workflow.getHandle(BroadcastWorkflow.workflowId(BORGO.id, id))
    await waitUntil(async () => (await handle.describe()).raw.pendingActivities?.length === 0, { timeoutMs: 60_000, what: 'the run to wait out the quiet hours' })
    expect(sentTo(id)).toHaveLength(0)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/resume`, approver)).status).toBe(202)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('completed')
    expect(sentTo(id)).toHaveLength(5)
    await stack.call('PUT', '/v1/quiet-hours', admin, { ...window, enabled: false })
    // Those five count against the messaging limit for the next 24 hours.
    expect((await stack.call('GET', `/v1/broadcasts/${planned}/plan`, operator)).body.whatsappLimit).toMatchObject({ usedLast24Hours: 5, available: 245 })
  }, 180_000)

  it('resumes by itself at the end of a quiet window, and an emergency run ignores the window', async () => {
    const until = new Date(Date.now() + 3000)
    const window = (end: Date) => [{ from: new Date(Date.now() - 60_000).toISOString(), until: end.toISOString() }]
    const run = (broadcastId: string, priority: 'routine' | 'emergency', quietWindows: BroadcastRunInput['quietWindows']): BroadcastRunInput => ({
      version: 1,
      broadcastId,
      tenant: BORGO.id,
      topics: ['quieto'],
      defaultLanguage: 'it',
      content: { whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Avviso'] } } } },
      priority,
      quietWindows,
    })
    const routine = randomUUID()
    const emergency = randomUUID()
    const start = (input: BroadcastRunInput) =>
      stack.client.workflow.start(BroadcastWorkflow.type, { workflowId: BroadcastWorkflow.workflowId(BORGO.id, input.broadcastId), taskQueue: stack.taskQueue, args: [input] })
    const routineRun = await start(run(routine, 'routine', window(until)))
    // An hour of quiet: an emergency run that heeded it would not end within the test.
    const emergencyRun = await start(run(emergency, 'emergency', window(new Date(Date.now() + 3_600_000))))
    await Promise.all([routineRun.result(), emergencyRun.result()])
    expect(sentTo(routine)).toHaveLength(5)
    expect(Math.min(...sentTo(routine).map((m) => m.acceptedAt))).toBeGreaterThanOrEqual(until.getTime())
    expect(sentTo(emergency)).toHaveLength(5)
  }, 120_000)
})
