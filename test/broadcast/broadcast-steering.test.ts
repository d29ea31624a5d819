import { BroadcastWorkflow, broadcastCorrelationPrefix } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { audienceOf } from './support/subscribers.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'

const template = (topic: string) => ({
  title: `avviso ${topic}`,
  topics: [topic],
  whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Avviso del Comune di Borgo'] } } },
})

/**
 * Scheduling, pause, resume and cancel of running broadcasts. The number's tier is 25 messages
 * a second, so a few hundred recipients take long enough to steer.
 */
describe('steering a broadcast', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let operator: string
  let approver: string

  const approvedBroadcast = async (topic: string) => {
    const id = (await stack.call('POST', '/v1/broadcasts', operator, template(topic))).body.id as string
    expect((await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).status).toBe(200)
    return id
  }
  const progressOf = async (id: string) => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body
  const sentTo = (id: string) => stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
  const execution = async (id: string) => (await stack.client.workflow.getHandle(BroadcastWorkflow.workflowId(BORGO.id, id)).describe()).raw
  /**
   * Waits until the broadcast's workflow runs no activity (every send is done by an activity):
   * paused, it then waits for a signal and sends nothing until one comes.
   */
  const idle = async (id: string) =>
    await waitUntil(async () => (await execution(id)).pendingActivities?.length === 0, { timeoutMs: 60_000, what: `broadcast ${id} to run no activity` })

  beforeAll(async () => {
    stack = await startBroadcastStack({ whatsappMps: 25, extraTopics: ['programmato', 'pausa', 'annullo', 'mai', 'coppia'] })
    await stack.audience.add([
      ...audienceOf(BORGO.id, 10, { from: 0, topics: ['programmato'] }),
      ...audienceOf(BORGO.id, 250, { from: 1000, topics: ['pausa'] }),
      ...audienceOf(BORGO.id, 250, { from: 2000, topics: ['annullo'] }),
      ...audienceOf(BORGO.id, 5, { from: 3000, topics: ['mai'] }),
      ...audienceOf(BORGO.id, 15, { from: 4000, topics: ['coppia'] }),
    ])
    worker = await startInProcessWorker(stack)
    operator = await stack.token('operator', 'giulia@borgo.example')
    approver = await stack.token('approver', 'marco@borgo.example')
  })
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('sends at the time given, not before', async () => {
    const id = await approvedBroadcast('programmato')
    const at = new Date(Date.now() + 3000)
    const sent = await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, { at: at.toISOString() })
    expect(sent.body).toMatchObject({ status: 'scheduled', sendAt: at.toISOString() })
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 250 }).toBe('completed')
    const messages = sentTo(id)
    expect(messages).toHaveLength(10)
    expect(Math.min(...messages.map((m) => m.acceptedAt))).toBeGreaterThanOrEqual(at.getTime())
  }, 120_000)

  it('pauses before the next batch and resumes where it stopped, sending to everyone once', async () => {
    const id = await approvedBroadcast('pausa')
    await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
    await expect.poll(() => sentTo(id).length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(30)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/pause`, operator)).status).toBe(202)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('paused')
    const atPause = sentTo(id).length
    expect(atPause).toBeLessThan(250)
    // Nothing more once paused: the workflow runs no activity, so nothing can send until a signal.
    await idle(id)
    expect(sentTo(id)).toHaveLength(atPause)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/pause`, operator)).status).toBe(409)

    expect((await stack.call('POST', `/v1/broadcasts/${id}/resume`, approver)).status).toBe(202)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 120_000, interval: 250 }).toBe('completed')
    const messages = sentTo(id)
    expect(messages).toHaveLength(250)
    expect(new Set(messages.map((m) => m.to)).size).toBe(250)
    const audit = (await stack.call('GET', `/v1/broadcasts/${id}/audit`, operator)).body.entries.map((e: { action: string }) => e.action)
    expect(audit).toEqual(['drafted', 'approved', 'send-requested', 'pause-requested', 'resume-requested', 'run-finished'])
  }, 240_000)

  it('cancels a running broadcast: whoever was not reached is skipped, nobody gets it afterwards', async () => {
    const id = await approvedBroadcast('annullo')
    await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
    await expect.poll(() => sentTo(id).length, { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(30)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/cancel`, approver)).status).toBe(202)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('cancelled')
    const atCancel = sentTo(id).length
    // Nothing afterwards: the workflow has ended, having waited for its sending activity to stop.
    await waitUntil(async () => (await execution(id)).workflowExecutionInfo?.closeTime, { timeoutMs: 60_000, what: `broadcast ${id}'s workflow to end` })
    expect((await execution(id)).pendingActivities ?? []).toEqual([])
    expect(sentTo(id)).toHaveLength(atCancel)
    const progress = await progressOf(id)
    expect(progress.accepted + progress.sent + progress.delivered + progress.read).toBe(atCancel)
    expect(progress.skippedByReason.cancelled).toBe(progress.skipped)
    expect(progress.skipped).toBeGreaterThan(0)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/resume`, operator)).status).toBe(409)
  }, 240_000)

  it('cancels a scheduled broadcast before its time: nothing is sent', async () => {
    const id = await approvedBroadcast('mai')
    await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, { at: new Date(Date.now() + 60_000).toISOString() })
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('scheduled')
    await stack.call('POST', `/v1/broadcasts/${id}/cancel`, operator)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('cancelled')
    expect(sentTo(id)).toHaveLength(0)
  }, 180_000)

  it('never sends to one citizen faster than the pair limit allows, across broadcasts', async () => {
    // WhatsApp's 131056: one message per (sender, recipient) pair every 6 s.
    stack.sim.setLimits({ pairRatePerSecond: 1 / 6, pairBurst: 1 })
    try {
      const first = await approvedBroadcast('coppia')
      const second = await approvedBroadcast('coppia')
      await stack.call('POST', `/v1/broadcasts/${first}/send`, operator, {})
      await stack.call('POST', `/v1/broadcasts/${second}/send`, operator, {})
      for (const id of [first, second]) {
        await expect.poll(async () => (await progressOf(id)).status, { timeout: 120_000, interval: 250 }).toBe('completed')
      }
      expect(stack.sim.stats().rejections.pairRateLimited).toBe(0)
      const byPhone = new Map<string, number[]>()
      for (const m of [...sentTo(first), ...sentTo(second)]) byPhone.set(m.to, [...(byPhone.get(m.to) ?? []), m.acceptedAt])
      expect(byPhone.size).toBe(15)
      for (const times of byPhone.values()) {
        expect(times).toHaveLength(2)
        expect(Math.abs((times[1] as number) - (times[0] as number))).toBeGreaterThanOrEqual(5900)
      }
    } finally {
      stack.sim.setLimits({ pairRatePerSecond: null })
    }
  }, 300_000)
})
