import { describe, expect, it } from 'vitest'
import { JetStreamSenderOrderGate, type GatedMessage, type OrderSource } from './sender-order-gate.js'

/** A stream of messages with an ack floor, and a history of recorded ids, both in memory. */
function world(messages: GatedMessage[]) {
  const recorded = new Set<string>()
  let floor = 0
  const source: OrderSource = {
    ackFloor: async () => floor,
    messageAt: async (seq) => messages[seq - 1],
  }
  return {
    recorded,
    source,
    ack: (seq: number) => void (floor = seq),
    gate: (maxWaitMs = 2000) => new JetStreamSenderOrderGate(source, async () => recorded, { maxWaitMs, pollMs: 5 }),
  }
}

const m = (id: string, from: string, tenant = 'corbetta'): GatedMessage => ({ id, tenant, from })

describe('JetStreamSenderOrderGate', () => {
  it('lets a message through at once when no earlier message of its sender is unacknowledged', async () => {
    const w = world([m('a1', '+391'), m('b1', '+392'), m('a2', '+391', 'ancona')])
    // b1 and a2 (same number, another tenant) do not wait for a1.
    await w.gate().awaitEarlier(m('b1', '+392'), 2)
    await w.gate().awaitEarlier(m('a2', '+391', 'ancona'), 3)
  })

  it('waits until the sender’s earlier message, in flight elsewhere, is in the history', async () => {
    const w = world([m('a1', '+391'), m('b1', '+392'), m('a2', '+391')])
    let passed = false
    const waiting = w.gate().awaitEarlier(m('a2', '+391'), 3).then(() => (passed = true))
    await new Promise((r) => setTimeout(r, 30))
    expect(passed).toBe(false)
    w.recorded.add('a1')
    await waiting
    expect(passed).toBe(true)
  })

  it('stops looking below the ack floor, and gives up after the wait limit', async () => {
    const w = world([m('a1', '+391'), m('a2', '+391')])
    w.ack(1)
    await w.gate().awaitEarlier(m('a2', '+391'), 2)
    const started = Date.now()
    await world([m('a1', '+391'), m('a2', '+391')]).gate(50).awaitEarlier(m('a2', '+391'), 2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
  })
})
