import { describe, expect, it } from 'vitest'
import { normalizeText } from '../text/text-normalizer.js'
import { senderActivity } from './sender-history.js'
import { InMemorySenderHistoryStore } from './sender-history-store.js'

const T = Date.parse('2026-03-11T09:00:00Z')
const n = (text: string) => normalizeText(text).text

describe('senderActivity', () => {
  it('counts messages in the last minute and hour, ignoring older and future ones', () => {
    const recentMessages = [10, 50, 59, 61, 3000, 3601, 90_000, -5].map((s, i) => ({ at: T - s * 1000, text: `m ${i}` }))
    const activity = senderActivity({ recentMessages, pastViolations: 2 }, 'nuovo', T)
    expect(activity.senderMessagesLastMinute).toBe(3)
    expect(activity.senderMessagesLastHour).toBe(5)
    expect(activity.senderPastViolations).toBe(2)
  })

  it('counts exact and near duplicates, not short or different texts', () => {
    const text = n('Quando riparate il lampione di via Dante?')
    const recentMessages = [
      { at: T - 1000, text: n('quando riparate il lampione di via dante') },
      { at: T - 2000, text: n('Quando riparate il lampione di via Dante???') },
      { at: T - 3000, text: n('quando riparate il lampione di via Dante, grazie') },
      { at: T - 3500, text: n('quando riparate il lampione in via Dante') },
      { at: T - 4000, text: n('Grazie per il lampione') },
    ]
    expect(senderActivity({ recentMessages, pastViolations: 0 }, text, T).duplicateCount).toBe(3)
    const short = [{ at: T - 1000, text: 'ok' }]
    expect(senderActivity({ recentMessages: short, pastViolations: 0 }, 'ok', T).duplicateCount).toBe(1)
    expect(senderActivity({ recentMessages: short, pastViolations: 0 }, 'ok grazie', T).duplicateCount).toBe(0)
  })
})

describe('InMemorySenderHistoryStore', () => {
  it('keeps recent messages and violations per tenant and sender, once per message id', async () => {
    const store = new InMemorySenderHistoryStore()
    await store.record('ancona', '+393331112233', { messageId: 'a', at: T - 1000, text: 'uno', violation: true })
    await store.record('ancona', '+393331112233', { messageId: 'a', at: T - 1000, text: 'uno', violation: true })
    await store.record('ancona', '+393331112233', { messageId: 'b', at: T - 500, text: 'due', violation: false })
    const history = await store.historyOf('ancona', '+393331112233', T)
    expect(history.recentMessages.map((m) => m.text)).toEqual(['uno', 'due'])
    expect(history.pastViolations).toBe(1)
    expect((await store.historyOf('corbetta', '+393331112233', T)).recentMessages).toEqual([])
  })

  it('forgets violations after their time and the least recently active senders', async () => {
    const store = new InMemorySenderHistoryStore({ maxSenders: 1000, violationTtlMs: 60_000 })
    await store.record('t', 's', { messageId: 'x', at: T - 120_000, text: 'a', violation: true })
    expect((await store.historyOf('t', 's', T)).pastViolations).toBe(0)
    for (let i = 0; i < 1001; i++) await store.record('t', `s${i}`, { messageId: `m${i}`, at: T, text: 'a', violation: false })
    expect(store.size).toBe(1000)
    expect((await store.historyOf('t', 's', T)).recentMessages).toEqual([])
  })
})
