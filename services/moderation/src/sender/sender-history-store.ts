import type { RecentMessage, SenderHistory } from './sender-history.js'

export interface DecidedMessage extends RecentMessage {
  readonly messageId: string
  /** Its verdict was delete, block or report. */
  readonly violation: boolean
}

/** Where the service keeps what it knows of each sender between messages. */
export interface SenderHistoryStore {
  /** The sender's history as of `at` (epoch ms), before their message of that instant. */
  historyOf(tenant: string, sender: string, at: number): Promise<SenderHistory>
  /** Adds a decided message to the sender's history; a message id already recorded is ignored (redelivery). */
  record(tenant: string, sender: string, message: DecidedMessage): Promise<void>
  /** Forgets everything about the sender (erasure, GDPR art. 17). */
  forget(tenant: string, sender: string): Promise<void>
  /** Everything kept about the sender (access, GDPR art. 15): recent texts and violation times, epoch ms; undefined when nothing. */
  exportOf(tenant: string, sender: string): Promise<SenderRecordExport | undefined>
}

export interface SenderRecordExport {
  readonly recentMessages: readonly RecentMessage[]
  readonly violations: readonly number[]
}

export interface InMemorySenderHistoryOptions {
  /** Senders remembered; the least recently active are forgotten first. */
  readonly maxSenders?: number
  /** Recent messages kept per sender (enough for the flooding and duplicate facts). */
  readonly maxMessagesPerSender?: number
  /** How long a violation counts against a sender, in ms. */
  readonly violationTtlMs?: number
}

interface SenderRecord {
  recent: RecentMessage[]
  violations: number[]
}

const DAY = 24 * 60 * 60 * 1000
// Far more than can be redelivered within JetStream's ack wait and backoff.
const RECORDED_IDS = 100_000

/**
 * Sender history in process memory, bounded. The trade-off, chosen on purpose:
 * - rates and duplicates look back one minute to one day, so losing them at a restart only
 *   delays flood detection by that much;
 * - violation counts (block after N) restart from zero after a restart. Blocks themselves are
 *   durable, in subscriptions, which carries out the block verdict; severe categories block at
 *   once and never depend on the count;
 * - nothing a citizen wrote is written to disk here, so there is nothing to erase on a GDPR
 *   request (the texts kept are normalized and expire within a day);
 * - the counts are per process: run one replica (one instance decides far more than 10,000
 *   messages a second), or replace this with a store in the `moderation` schema behind the same
 *   interface.
 */
export class InMemorySenderHistoryStore implements SenderHistoryStore {
  private readonly senders = new Map<string, SenderRecord>()
  /** Ids of recently recorded messages: a redelivered message is not counted twice. */
  private readonly recorded = new Set<string>()
  private readonly maxSenders: number
  private readonly maxMessages: number
  private readonly violationTtl: number

  constructor(options: InMemorySenderHistoryOptions = {}) {
    this.maxSenders = options.maxSenders ?? 200_000
    this.maxMessages = options.maxMessagesPerSender ?? 40
    this.violationTtl = options.violationTtlMs ?? 90 * DAY
  }

  private key(tenant: string, sender: string): string {
    return `${tenant}\u0000${sender}`
  }

  async historyOf(tenant: string, sender: string, at: number): Promise<SenderHistory> {
    const record = this.senders.get(this.key(tenant, sender))
    if (!record) return { recentMessages: [], pastViolations: 0 }
    let pastViolations = 0
    for (const v of record.violations) if (at - v <= this.violationTtl) pastViolations++
    return { recentMessages: record.recent.slice(), pastViolations }
  }

  async forget(tenant: string, sender: string): Promise<void> {
    this.senders.delete(this.key(tenant, sender))
  }

  async exportOf(tenant: string, sender: string): Promise<SenderRecordExport | undefined> {
    const record = this.senders.get(this.key(tenant, sender))
    return record ? { recentMessages: record.recent.slice(), violations: record.violations.slice() } : undefined
  }

  async record(tenant: string, sender: string, message: DecidedMessage): Promise<void> {
    if (this.recorded.has(message.messageId)) return
    this.recorded.add(message.messageId)
    if (this.recorded.size > RECORDED_IDS) {
      const oldest = this.recorded.values().next().value
      if (oldest !== undefined) this.recorded.delete(oldest)
    }
    const key = this.key(tenant, sender)
    const record = this.senders.get(key) ?? { recent: [], violations: [] }
    // Re-inserting keeps the Map in least-recently-active order.
    this.senders.delete(key)
    // Kept in arrival order: expired entries are at the front.
    const recent = record.recent
    while (recent.length > 0 && (message.at - (recent[0] as RecentMessage).at > DAY || recent.length >= this.maxMessages)) recent.shift()
    recent.push({ at: message.at, text: message.text })
    if (message.violation) {
      record.violations = record.violations.filter((v) => message.at - v <= this.violationTtl)
      record.violations.push(message.at)
    }
    this.senders.set(key, record)
    while (this.senders.size > this.maxSenders) {
      const oldest = this.senders.keys().next().value
      if (oldest === undefined) break
      this.senders.delete(oldest)
    }
  }

  /** Senders currently remembered (for metrics). */
  get size(): number {
    return this.senders.size
  }
}
