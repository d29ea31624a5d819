import { describe, expect, it } from 'vitest'
import { maxPerSlidingWindow, MessageRecord } from './message-record.js'
import { PairRateGate, SlidingWindowGate } from './throughput-gate.js'

const message = (seq: number, to: string, correlation: string | undefined, acceptedAt: number, sender = 'pn-1') => ({
  provider: 'whatsapp-cloud' as const,
  providerMessageId: `wamid.${seq}`,
  sender,
  senderNumber: '+390306781234',
  to,
  type: 'template',
  ...(correlation !== undefined ? { correlation } : {}),
  acceptedAt,
})

describe('MessageRecord', () => {
  it('counts duplicates by correlation and recipients with several messages', () => {
    const record = new MessageRecord()
    record.add(message(1, '+393331234567', 'b1:r1', 0))
    record.add(message(2, '+393331234568', 'b1:r2', 1))
    record.add(message(3, '+393331234567', 'b1:r1', 2))
    record.add(message(4, '+393331234569', 'b2:r1', 3, 'pn-2'))
    expect(record.duplicateMessages).toBe(1)
    expect(record.stats({ correlationPrefix: 'b1:' })).toEqual({
      total: 3,
      distinctRecipients: 2,
      distinctCorrelations: 2,
      duplicateCorrelations: 1,
      duplicateMessages: 1,
      recipientsWithSeveral: 1,
      bySender: { 'pn-1': 3 },
    })
    expect(record.duplicatesOf()).toEqual([{ correlation: 'b1:r1', count: 2, providerMessageIds: ['wamid.1', 'wamid.3'] }])
    expect(record.query({ to: '+393331234567' }).map((m) => m.seq)).toEqual([1, 3])
    expect(record.query({}, { offset: 1, limit: 2 }).map((m) => m.seq)).toEqual([2, 3])
    expect(record.get('wamid.4')?.sender).toBe('pn-2')
  })
})

describe('maxPerSlidingWindow', () => {
  it('counts the busiest half-open window per sender', () => {
    const times = [0, 100, 999, 1000, 1001, 1500, 1999.5]
    const counts = maxPerSlidingWindow(
      [...times.map((acceptedAt) => ({ sender: 'a', acceptedAt })), { sender: 'b', acceptedAt: 5 }],
      1000,
    )
    // (999.5, 1999.5] holds 1000, 1001, 1500, 1999.5; (1, 1001] holds 100, 999, 1000, 1001.
    expect(counts).toEqual({ a: 4, b: 1 })
  })
})

describe('SlidingWindowGate', () => {
  it('admits at most cap messages in any window and frees slots as they age', () => {
    const gate = new SlidingWindowGate(1000)
    const admitted = [0, 10, 20, 30].map((t) => gate.tryAcquire('s', 3, t))
    expect(admitted).toEqual([true, true, true, false])
    expect(gate.tryAcquire('s', 3, 999)).toBe(false)
    expect(gate.tryAcquire('s', 3, 1000)).toBe(true)
    expect(gate.tryAcquire('other', 3, 1000)).toBe(true)
  })
})

describe('PairRateGate', () => {
  it('allows a burst per pair, then the pair rate', () => {
    const gate = new PairRateGate()
    expect([0, 1, 2].map((t) => gate.tryAcquire('pn|+39333', 0.5, 2, t))).toEqual([true, true, false])
    expect(gate.tryAcquire('pn|+39334', 0.5, 2, 3)).toBe(true)
    expect(gate.tryAcquire('pn|+39333', 0.5, 2, 2001)).toBe(true)
  })
})
