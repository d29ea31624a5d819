import { describe, expect, it } from 'vitest'
import { KvSenderHistoryStore, type SenderHistoryBucket } from './kv-sender-history-store.js'

const T = Date.parse('2026-03-11T09:00:00Z')

/** A KV bucket in memory with NATS's compare-and-set semantics. */
function fakeBucket(): SenderHistoryBucket & { keys(): string[] } {
  const data = new Map<string, { value: string; revision: number }>()
  let revision = 0
  return {
    keys: () => [...data.keys()],
    async get(key) {
      const e = data.get(key)
      return e ? { operation: 'PUT', revision: e.revision, json: <V>() => JSON.parse(e.value) as V } : null
    },
    async create(key, value) {
      if (data.has(key)) throw new Error('wrong last sequence')
      data.set(key, { value, revision: ++revision })
      return revision
    },
    async update(key, value, version) {
      if (data.get(key)?.revision !== version) throw new Error('wrong last sequence')
      data.set(key, { value, revision: ++revision })
      return revision
    },
    async purge(key) {
      data.delete(key)
    },
  }
}

describe('KvSenderHistoryStore', () => {
  it('shares one history between two stores on the same bucket, once per message id', async () => {
    const bucket = fakeBucket()
    const a = new KvSenderHistoryStore(bucket)
    const b = new KvSenderHistoryStore(bucket)
    await a.record('ancona', '+393331112233', { messageId: 'm1', at: T - 2000, text: 'uno', violation: true })
    await b.record('ancona', '+393331112233', { messageId: 'm1', at: T - 2000, text: 'uno', violation: true })
    await b.record('ancona', '+393331112233', { messageId: 'm2', at: T - 1000, text: 'due', violation: false })
    const history = await a.historyOf('ancona', '+393331112233', T)
    expect(history.recentMessages.map((m) => m.text)).toEqual(['uno', 'due'])
    expect(history.pastViolations).toBe(1)
    expect((await a.historyOf('corbetta', '+393331112233', T)).recentMessages).toEqual([])
    // The key names the tenant and a hash, never the number.
    expect(bucket.keys().join()).not.toContain('3331112233')
  })

  it('loses no message when replicas record the same sender at once', async () => {
    const bucket = fakeBucket()
    const stores = [new KvSenderHistoryStore(bucket), new KvSenderHistoryStore(bucket)]
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => (stores[i % 2] as KvSenderHistoryStore).record('t', 's', { messageId: `m${i}`, at: T - 10_000 + i, text: `m ${i}`, violation: i % 3 === 0 })),
    )
    const history = await stores[0]!.historyOf('t', 's', T)
    expect(history.recentMessages).toHaveLength(10)
    expect(history.pastViolations).toBe(4)
  })

  it('forgets violations after their time and messages after a day', async () => {
    const store = new KvSenderHistoryStore(fakeBucket(), { violationTtlMs: 60_000 })
    await store.record('t', 's', { messageId: 'old', at: T - 2 * 86_400_000, text: 'vecchio', violation: true })
    await store.record('t', 's', { messageId: 'new', at: T - 1000, text: 'nuovo', violation: false })
    const history = await store.historyOf('t', 's', T)
    expect(history.pastViolations).toBe(0)
    expect(history.recentMessages.map((m) => m.text)).toEqual(['nuovo'])
  })
})
