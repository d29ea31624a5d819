import { PublishNotAcknowledgedError } from '@banditore/platform'
import { createInbox, headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node'
import type { IntakePublisher } from './inbound-intake.js'

interface Pending {
  readonly subject: string
  readonly resolve: (ack: { duplicate: boolean }) => void
  readonly reject: (error: Error) => void
  /** Epoch ms after which the publish counts as not acknowledged. */
  readonly deadline: number
}

interface Outgoing {
  readonly subject: string
  readonly data: Uint8Array
  readonly msgId: string
  readonly token: string
}

interface PubAckBody {
  stream?: string
  seq?: number
  duplicate?: boolean
  error?: { code?: number; err_code?: number; description?: string }
}

const decoder = new TextDecoder()

/**
 * JetStream publishing with the same promise as platform's DurablePublisher (it resolves only
 * once the stream stored the message; Nats-Msg-Id dedupes), built for the webhook hot path:
 * every publish carries a reply subject under ONE inbox subscription, and one sweeper timer
 * expires unanswered publishes. `js.publish` makes a request per message (its own timer and two
 * Error objects with stack traces each): measured at about a tenth of ingest's CPU at 2,000
 * webhooks/s. Publishes asked for during one turn of the event loop are written together, in one
 * socket write, at its check phase (setImmediate): each webhook arrives in its own I/O callback,
 * so without this every publish would be its own write syscall.
 *
 * An unanswered publish (NATS down, a write lost with a dropped connection, no stream) rejects
 * after `timeoutMs`: the caller answers 503 and the provider retries; if the message had in fact
 * been stored, the retry is deduped by its Nats-Msg-Id.
 */
export class JetStreamAckPublisher implements IntakePublisher {
  private readonly prefix: string
  private readonly pending = new Map<string, Pending>()
  private readonly subscription: Subscription
  private readonly sweeper: NodeJS.Timeout
  private next = 0
  private outgoing: Outgoing[] = []

  constructor(
    private readonly nc: NatsConnection,
    private readonly defaultTimeoutMs = 5000,
    /** How often expired publishes are looked for, ms: the timeout's resolution. */
    sweepEveryMs = 50,
  ) {
    this.prefix = createInbox()
    this.subscription = nc.subscribe(`${this.prefix}.*`, { callback: (error, msg) => (error ? undefined : this.settle(msg)) })
    this.sweeper = setInterval(() => this.expire(Date.now()), sweepEveryMs)
    this.sweeper.unref()
  }

  publish(subject: string, data: Uint8Array, options: { msgId: string; timeoutMs?: number }): Promise<{ duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      const token = (this.next++).toString(36)
      this.pending.set(token, { subject, resolve, reject, deadline: Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs) })
      if (this.outgoing.length === 0) setImmediate(() => this.flush())
      this.outgoing.push({ subject, data, msgId: options.msgId, token })
    })
  }

  private flush(): void {
    const batch = this.outgoing
    this.outgoing = []
    for (const { subject, data, msgId, token } of batch) {
      const h = headers()
      h.set('Nats-Msg-Id', msgId)
      try {
        // While NATS reconnects the client buffers this; the ack (or the deadline) decides.
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers: h })
      } catch (cause) {
        const pending = this.pending.get(token)
        this.pending.delete(token)
        pending?.reject(new PublishNotAcknowledgedError(subject, { cause }))
      }
    }
  }

  /** Rejects what is still pending and stops listening; call before draining the connection. */
  close(): void {
    // Not yet written: never will be (the callers get their rejection below).
    this.outgoing = []
    clearInterval(this.sweeper)
    this.subscription.unsubscribe()
    this.expire(Number.POSITIVE_INFINITY)
  }

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1)
    const pending = this.pending.get(token)
    if (!pending) return // Answered after its deadline: the request already got 503.
    this.pending.delete(token)
    // No stream listens on the subject: the server answers with a 503 status and no body.
    if (msg.headers?.code === 503 || msg.data.length === 0) {
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause: new Error('no responders') }))
      return
    }
    let ack: PubAckBody
    try {
      ack = JSON.parse(decoder.decode(msg.data)) as PubAckBody
    } catch (cause) {
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause }))
      return
    }
    if (ack.error || !ack.stream) {
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause: new Error(ack.error?.description ?? 'invalid ack') }))
      return
    }
    pending.resolve({ duplicate: ack.duplicate === true })
  }

  private expire(now: number): void {
    // Insertion order is deadline order when timeouts are equal; a shorter one waits at most
    // until the entries before it expire.
    for (const [token, pending] of this.pending) {
      if (pending.deadline > now) break
      this.pending.delete(token)
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause: new Error('no acknowledgement in time') }))
    }
  }
}
