import { broadcastCorrelationPrefix } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { audienceOf } from './support/subscribers.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'

const SENDER_ID = 'Com Borgo'

/**
 * A tenant whose SMS broadcasts come from its alphanumeric sender ID: the gateway is asked to send
 * from the ID, paced under the tenant's number, and its status callbacks (From: the ID) are routed
 * back to the tenant through ingest and move the send ledger.
 */
describe('SMS broadcasts from an alphanumeric sender ID', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let operator: string
  let approver: string

  beforeAll(async () => {
    stack = await startBroadcastStack({
      smsMps: 50,
      tenantFile: (document) => {
        const channels = document.channels as { sms: Record<string, unknown> }
        return { ...document, channels: { ...channels, sms: { ...channels.sms, senderId: SENDER_ID } } }
      },
    })
    await stack.audience.add(audienceOf(BORGO.id, 12, { from: 500, channel: 'sms' }))
    worker = await startInProcessWorker(stack)
    operator = await stack.token('operator', 'anna@borgo.example')
    approver = await stack.token('approver', 'bruno@borgo.example')
  })
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('sends from the ID, and its delivery statuses reach the ledger', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, {
      title: 'Mercato',
      topics: ['avvisi'],
      sms: { texts: { it: 'Comune di Borgo: sabato il mercato si sposta in piazza Garibaldi.' } },
    })
    expect(created.status).toBe(201)
    const id = created.body.id as string
    expect((await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).status).toBe(200)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(202)

    await expect
      .poll(async () => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body, { timeout: 60_000, interval: 500 })
      .toMatchObject({ status: 'completed', total: 12, delivered: 12, accepted: 0, failed: 0, outcome: 'confirmed' })
    const messages = stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
    expect(messages).toHaveLength(12)
    expect(new Set(messages.map((m) => m.sender))).toEqual(new Set([SENDER_ID]))
    // Paced under the number: the account's throughput is the number's.
    expect(new Set(messages.map((m) => m.senderNumber))).toEqual(new Set([BORGO.smsNumber]))
  })
})
