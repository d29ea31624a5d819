import { createHash } from 'node:crypto'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import type { RecentMessage, SenderHistory } from './sender-history.js'
import type { DecidedMessage, SenderHistoryStore, SenderRecordExport } from './sender-history-store.js'

/** What this store needs of a NATS KV bucket (a `KV` from @nats-io/kv). */
export interface SenderHistoryBucket {
  get(key: string): Promise<{ operation: string; revision: number; json<T>(): T } | null>
  create(key: string, data: string): Promise<number>
  update(key: string, data: string, version: number): Promise<number>
  /** Removes the key and its revisions. */
  purge(key: string): Promise<void>
}

/**
 * Creates (or opens, when it exists with the same settings) the sender history bucket: one
 * revision per key, entries expiring after the violation memory, replicated as the streams are.
 */
export async function openSenderHistoryBucket(
  nc: NatsConnection,
  bucket: string,
  options: { readonly ttlMs: number; readonly replicas?: number },
): Promise<KV> {
  return await new Kvm(nc).create(bucket, { history: 1, ttl: options.ttlMs, replicas: options.replicas ?? 1 })
}

interface StoredHistory {
  /** Recent messages: time, normalized text, message id (redeliveries are recorded once). */
  recent: { at: number; text: string; id: string }[]
  /** Times of violations. */
  violations: number[]
}

const DAY = 24 * 60 * 60 * 1000
const MAX_ATTEMPTS = 100

/** The server refused the write because the key moved on (another writer came first). */
function isConflict(error: unknown): boolean {
  const e = error as { code?: unknown; api_error?: { err_code?: unknown }; message?: unknown }
  return e?.api_error?.err_code === 10071 || /wrong last sequence/i.test(String(e?.message ?? ''))
}

export interface KvSenderHistoryOptions {
  readonly maxMessagesPerSender?: number
  readonly violationTtlMs?: number
}

/**
 * The sender history in a NATS KV bucket, shared by every replica: rates, duplicates and
 * violation counts are the same whichever replica decides a sender's next message. Each record is
 * a compare-and-set on the sender's key, so two replicas recording at once never lose a message.
 * The key holds a hash of the number, not the number; texts are the normalized ones the memory
 * store keeps, for a day; the bucket's TTL (the violation memory) drops senders gone quiet.
 */
export class KvSenderHistoryStore implements SenderHistoryStore {
  private readonly maxMessages: number
  private readonly violationTtl: number

  constructor(
    private readonly bucket: SenderHistoryBucket,
    options: KvSenderHistoryOptions = {},
  ) {
    this.maxMessages = options.maxMessagesPerSender ?? 40
    this.violationTtl = options.violationTtlMs ?? 90 * DAY
  }

  static keyOf(tenant: string, sender: string): string {
    return `${tenant}.${createHash('sha256').update(sender).digest('hex').slice(0, 32)}`
  }

  private async read(key: string): Promise<{ value: StoredHistory; revision: number } | undefined> {
    const entry = await this.bucket.get(key)
    if (!entry || entry.operation !== 'PUT') return undefined
    return { value: entry.json<StoredHistory>(), revision: entry.revision }
  }

  async historyOf(tenant: string, sender: string, at: number): Promise<SenderHistory> {
    const found = await this.read(KvSenderHistoryStore.keyOf(tenant, sender))
    if (!found) return { recentMessages: [], pastViolations: 0 }
    const recentMessages: RecentMessage[] = found.value.recent.map((m) => ({ at: m.at, text: m.text }))
    let pastViolations = 0
    for (const v of found.value.violations) if (at - v <= this.violationTtl && v <= at) pastViolations++
    return { recentMessages, pastViolations }
  }

  /** Ids of the sender's messages the history holds (the order gate waits for earlier ones). */
  async recordedIds(tenant: string, sender: string): Promise<ReadonlySet<string>> {
    const found = await this.read(KvSenderHistoryStore.keyOf(tenant, sender))
    return new Set(found?.value.recent.map((m) => m.id) ?? [])
  }

  async exportOf(tenant: string, sender: string): Promise<SenderRecordExport | undefined> {
    const found = await this.read(KvSenderHistoryStore.keyOf(tenant, sender))
    return found ? { recentMessages: found.value.recent.map((m) => ({ at: m.at, text: m.text })), violations: found.value.violations.slice() } : undefined
  }

  /** Purges the sender's key: its texts and violations are gone from every replica's view. */
  async forget(tenant: string, sender: string): Promise<void> {
    await this.bucket.purge(KvSenderHistoryStore.keyOf(tenant, sender))
  }

  async record(tenant: string, sender: string, message: DecidedMessage): Promise<void> {
    const key = KvSenderHistoryStore.keyOf(tenant, sender)
    for (let attempt = 1; ; attempt++) {
      const found = await this.read(key)
      const value: StoredHistory = found?.value ?? { recent: [], violations: [] }
      if (value.recent.some((m) => m.id === message.messageId)) return
      value.recent = value.recent.filter((m) => message.at - m.at <= DAY)
      value.recent.push({ at: message.at, text: message.text, id: message.messageId })
      value.recent.sort((a, b) => a.at - b.at)
      while (value.recent.length > this.maxMessages) value.recent.shift()
      if (message.violation) {
        value.violations = value.violations.filter((v) => message.at - v <= this.violationTtl)
        value.violations.push(message.at)
      }
      const data = JSON.stringify(value)
      try {
        if (found) await this.bucket.update(key, data, found.revision)
        else await this.bucket.create(key, data)
        return
      } catch (cause) {
        // Another replica wrote first: read again and re-apply (after a short random pause once
        // contention persists). Anything else (a timeout, a lost connection) is not retried here.
        if (!isConflict(cause) || attempt >= MAX_ATTEMPTS) throw cause
        if (attempt > 3) await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, attempt * 2)))
      }
    }
  }
}
