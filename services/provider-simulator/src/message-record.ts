/** One message the simulated provider accepted. */
export interface RecordedMessage {
  /** Order of acceptance, from 1. */
  readonly seq: number
  readonly provider: 'whatsapp-cloud' | 'sms-gateway'
  readonly providerMessageId: string
  /** The sending number's key: phone_number_id (WhatsApp) or From, E.164 (SMS). */
  readonly sender: string
  /** The sending number, E.164. */
  readonly senderNumber: string
  /** The recipient, E.164. */
  readonly to: string
  /** The Cloud API message type (text, template, image, document...) or `sms`. */
  readonly type: string
  readonly text?: string
  /**
   * A template send: name, language and, when it gave any, its quick-reply buttons' payloads
   * with their labels in that language (what a citizen's tap brings back).
   */
  readonly template?: {
    readonly name: string
    readonly language: string
    readonly buttons?: ReadonlyArray<{ readonly index: number; readonly text: string; readonly payload: string }>
  }
  /** An interactive message's `interactive` object as sent (list or reply buttons). */
  readonly interactive?: Readonly<Record<string, unknown>>
  /** WhatsApp: how Meta prices it (`free_customer_service` when sent inside the 24-hour window). */
  readonly pricingType?: 'regular' | 'free_customer_service'
  /** The send-ledger id (biz_opaque_callback_data or the StatusCallback URL's correlation). */
  readonly correlation?: string
  /** Epoch ms, sub-millisecond. */
  readonly acceptedAt: number
}

export interface RecordFilter {
  readonly provider?: 'whatsapp-cloud' | 'sms-gateway'
  readonly sender?: string
  readonly to?: string
  readonly correlation?: string
  /** A broadcast tag: every correlation starting with it. */
  readonly correlationPrefix?: string
}

export interface RecordStats {
  readonly total: number
  readonly distinctRecipients: number
  readonly distinctCorrelations: number
  /** Correlations accepted more than once. */
  readonly duplicateCorrelations: number
  /** Messages beyond the first per correlation: what a double send costs. */
  readonly duplicateMessages: number
  /** Recipients that got more than one message (within the filter). */
  readonly recipientsWithSeveral: number
  readonly bySender: Readonly<Record<string, number>>
}

function matches(message: RecordedMessage, filter: RecordFilter): boolean {
  return (
    (filter.provider === undefined || message.provider === filter.provider) &&
    (filter.sender === undefined || message.sender === filter.sender) &&
    (filter.to === undefined || message.to === filter.to) &&
    (filter.correlation === undefined || message.correlation === filter.correlation) &&
    (filter.correlationPrefix === undefined || (message.correlation?.startsWith(filter.correlationPrefix) ?? false))
  )
}

/**
 * Every accepted message, in memory. Adding is O(1) (array push and two map updates); queries
 * scan, which is fine off the hot path.
 */
export class MessageRecord {
  private messages: RecordedMessage[] = []
  private readonly byId = new Map<string, RecordedMessage>()
  private readonly correlationCounts = new Map<string, number>()
  private duplicates = 0

  add(message: Omit<RecordedMessage, 'seq'>): RecordedMessage {
    const recorded = { ...message, seq: this.messages.length + 1 }
    this.messages.push(recorded)
    this.byId.set(recorded.providerMessageId, recorded)
    if (recorded.correlation !== undefined) {
      const count = (this.correlationCounts.get(recorded.correlation) ?? 0) + 1
      this.correlationCounts.set(recorded.correlation, count)
      if (count > 1) this.duplicates++
    }
    return recorded
  }

  get size(): number {
    return this.messages.length
  }

  /** Messages beyond the first per correlation, over the whole record. */
  get duplicateMessages(): number {
    return this.duplicates
  }

  get(providerMessageId: string): RecordedMessage | undefined {
    return this.byId.get(providerMessageId)
  }

  query(filter: RecordFilter = {}, page: { offset?: number; limit?: number } = {}): RecordedMessage[] {
    const offset = page.offset ?? 0
    const limit = page.limit ?? Number.POSITIVE_INFINITY
    const out: RecordedMessage[] = []
    let skipped = 0
    for (const message of this.messages) {
      if (!matches(message, filter)) continue
      if (skipped++ < offset) continue
      out.push(message)
      if (out.length >= limit) break
    }
    return out
  }

  stats(filter: RecordFilter = {}): RecordStats {
    const recipients = new Map<string, number>()
    const correlations = new Map<string, number>()
    const bySender: Record<string, number> = {}
    let total = 0
    for (const message of this.messages) {
      if (!matches(message, filter)) continue
      total++
      recipients.set(message.to, (recipients.get(message.to) ?? 0) + 1)
      if (message.correlation !== undefined) correlations.set(message.correlation, (correlations.get(message.correlation) ?? 0) + 1)
      bySender[message.sender] = (bySender[message.sender] ?? 0) + 1
    }
    let duplicateCorrelations = 0
    let duplicateMessages = 0
    for (const count of correlations.values()) {
      if (count > 1) {
        duplicateCorrelations++
        duplicateMessages += count - 1
      }
    }
    let recipientsWithSeveral = 0
    for (const count of recipients.values()) if (count > 1) recipientsWithSeveral++
    return {
      total,
      distinctRecipients: recipients.size,
      distinctCorrelations: correlations.size,
      duplicateCorrelations,
      duplicateMessages,
      recipientsWithSeveral,
      bySender,
    }
  }

  /** Correlations accepted more than once, with their provider message ids. */
  duplicatesOf(filter: RecordFilter = {}): Array<{ correlation: string; count: number; providerMessageIds: string[] }> {
    const groups = new Map<string, string[]>()
    for (const message of this.messages) {
      if (message.correlation === undefined || !matches(message, filter)) continue
      if ((this.correlationCounts.get(message.correlation) ?? 0) < 2) continue
      const ids = groups.get(message.correlation) ?? []
      ids.push(message.providerMessageId)
      groups.set(message.correlation, ids)
    }
    return [...groups].map(([correlation, ids]) => ({ correlation, count: ids.length, providerMessageIds: ids }))
  }

  /** Per sender, the most messages accepted within any sliding window of `windowMs`. */
  maxInWindow(windowMs: number, filter: RecordFilter = {}): Record<string, number> {
    return maxPerSlidingWindow(this.query(filter), windowMs)
  }

  clear() {
    this.messages = []
    this.byId.clear()
    this.correlationCounts.clear()
    this.duplicates = 0
  }
}

/**
 * Per sender, the largest number of messages with acceptedAt in any half-open window
 * (t - windowMs, t]. Two pointers over the sorted times.
 */
export function maxPerSlidingWindow(
  messages: ReadonlyArray<Pick<RecordedMessage, 'sender' | 'acceptedAt'>>,
  windowMs: number,
): Record<string, number> {
  const bySender = new Map<string, number[]>()
  for (const message of messages) {
    const times = bySender.get(message.sender) ?? []
    times.push(message.acceptedAt)
    bySender.set(message.sender, times)
  }
  const result: Record<string, number> = {}
  for (const [sender, times] of bySender) {
    times.sort((a, b) => a - b)
    let max = 0
    let start = 0
    for (let end = 0; end < times.length; end++) {
      while ((times[end] ?? 0) - (times[start] ?? 0) >= windowMs) start++
      max = Math.max(max, end - start + 1)
    }
    result[sender] = max
  }
  return result
}
