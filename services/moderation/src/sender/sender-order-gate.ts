import type { Logger } from '@banditore/platform'

/** One message as the gate sees it: enough to tell whose it is. */
export interface GatedMessage {
  readonly id: string
  readonly tenant: string
  readonly from: string
}

/**
 * Keeps one sender's messages decided in stream order when several replicas share the durable
 * consumer: before a replica decides a message, every earlier message of the same sender that
 * is still unacknowledged must be in the shared history (recorded, by whichever replica had it).
 */
export interface SenderOrderGate {
  /** Resolves once the sender's earlier messages are in the history, or after the wait limit. */
  awaitEarlier(message: GatedMessage, streamSeq: number): Promise<void>
}

/** What the gate reads of JetStream: the consumer's ack floor and stored messages by sequence. */
export interface OrderSource {
  /** The stream sequence below which every message of the consumer is acknowledged. */
  ackFloor(): Promise<number>
  /** The message stored at `seq`, or undefined when it is not an inbound message (or is gone). */
  messageAt(seq: number): Promise<GatedMessage | undefined>
}

/** Which of these message ids the shared history already holds for the sender. */
export type RecordedIds = (tenant: string, sender: string) => Promise<ReadonlySet<string>>

export interface SenderOrderGateOptions {
  /** Longest wait for an earlier message (one held back for redelivery, say), ms. */
  readonly maxWaitMs?: number
  /** Pause between two looks, ms. */
  readonly pollMs?: number
  /** Unacknowledged messages looked at, at most, below the one to decide. */
  readonly maxScan?: number
  readonly logger?: Logger
}

/**
 * The gate over a JetStream durable consumer. With one replica the ack floor is the previous
 * message, so the gate costs one consumer-info request. With several, the messages between the
 * ack floor and this one are in flight on other replicas: the gate reads them (cached), and when
 * one is from the same sender and not yet recorded, waits for it. An earlier message only ever
 * waits for earlier ones, so there is no cycle; a message held back longer (a redelivery after
 * a failure, or queued behind this one on the same replica) stops the wait at `maxWaitMs`, and
 * the message is decided as a single replica would decide it after such a failure.
 */
export class JetStreamSenderOrderGate implements SenderOrderGate {
  private readonly maxWaitMs: number
  private readonly pollMs: number
  private readonly maxScan: number
  private readonly cache = new Map<number, GatedMessage | undefined>()

  constructor(
    private readonly source: OrderSource,
    private readonly recorded: RecordedIds,
    private readonly options: SenderOrderGateOptions = {},
  ) {
    this.maxWaitMs = options.maxWaitMs ?? 3000
    this.pollMs = options.pollMs ?? 20
    this.maxScan = options.maxScan ?? 256
  }

  private async at(seq: number): Promise<GatedMessage | undefined> {
    if (this.cache.has(seq)) return this.cache.get(seq)
    const found = await this.source.messageAt(seq)
    this.cache.set(seq, found)
    if (this.cache.size > 4 * this.maxScan) {
      const oldest = this.cache.keys().next().value
      if (oldest !== undefined) this.cache.delete(oldest)
    }
    return found
  }

  /** Ids of the sender's earlier messages that are not acknowledged yet. */
  private async earlierOfSender(message: GatedMessage, seq: number): Promise<string[]> {
    const floor = await this.source.ackFloor()
    const ids: string[] = []
    for (let s = Math.max(floor + 1, seq - this.maxScan); s < seq; s++) {
      const other = await this.at(s)
      if (other && other.tenant === message.tenant && other.from === message.from && other.id !== message.id) ids.push(other.id)
    }
    return ids
  }

  async awaitEarlier(message: GatedMessage, seq: number): Promise<void> {
    const deadline = Date.now() + this.maxWaitMs
    for (;;) {
      const earlier = await this.earlierOfSender(message, seq)
      if (earlier.length === 0) return
      const recorded = await this.recorded(message.tenant, message.from)
      if (earlier.every((id) => recorded.has(id))) return
      if (Date.now() >= deadline) {
        // Ids only: never the sender's number.
        this.options.logger?.warn({ messageId: message.id, seq, waitingFor: earlier.filter((id) => !recorded.has(id)) }, 'earlier message of the sender still undecided; deciding anyway')
        return
      }
      await new Promise((resolve) => setTimeout(resolve, this.pollMs))
    }
  }
}

/** The order source of a durable consumer on a stream, through the JetStream API. */
export function jetStreamOrderSource(
  jsm: {
    consumers: { info(stream: string, durable: string): Promise<{ ack_floor: { stream_seq: number } }> }
    streams: { getMessage(stream: string, query: { seq: number }): Promise<{ subject: string; json<T>(): T } | null> }
  },
  stream: string,
  durable: string,
  subjectPrefix: string,
): OrderSource {
  return {
    async ackFloor() {
      return (await jsm.consumers.info(stream, durable)).ack_floor.stream_seq
    },
    async messageAt(seq) {
      try {
        const stored = await jsm.streams.getMessage(stream, { seq })
        if (!stored || !stored.subject.startsWith(subjectPrefix)) return undefined
        const payload = stored.json<Partial<GatedMessage>>()
        if (typeof payload.id !== 'string' || typeof payload.tenant !== 'string' || typeof payload.from !== 'string') return undefined
        return { id: payload.id, tenant: payload.tenant, from: payload.from }
      } catch {
        // Deleted, or not JSON: nothing to wait for (an unreadable message is dead-lettered).
        return undefined
      }
    },
  }
}
