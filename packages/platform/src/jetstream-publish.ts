import { createInbox, headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node'

export interface DurablePublishOptions {
  /** JetStream dedupe key: a second publish with the same id inside the stream's window is dropped. */
  msgId: string
  headers?: Record<string, string>
  /** How long to wait for the stream's acknowledgement, ms (the publisher's default otherwise). */
  timeoutMs?: number
}

/** What the stream answered: where it stored the message, and whether it was a repeat. */
export interface DurableAck {
  readonly stream: string
  readonly seq: number
  /** The Nats-Msg-Id was seen inside the stream's window: nothing new was stored. */
  readonly duplicate: boolean
}

export class PublishNotAcknowledgedError extends Error {
  readonly code = 'PUBLISH_NOT_ACKNOWLEDGED'
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(`JetStream did not acknowledge a message on ${subject}`, options)
    this.name = 'PublishNotAcknowledgedError'
  }
}

interface Pending {
  readonly subject: string
  readonly resolve: (ack: DurableAck) => void
  readonly reject: (error: Error) => void
  /** Epoch ms after which the publish counts as not acknowledged. */
  readonly deadline: number
}

interface Outgoing {
  readonly subject: string
  readonly data: Uint8Array
  readonly options: DurablePublishOptions
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
 * The one JetStream publisher every service uses: its promise resolves only once the stream
 * stored the message (Nats-Msg-Id dedupes a repeat inside the stream's window).
 *
 * Built for hot paths such as ingest's webhooks: every publish carries a reply subject under ONE
 * inbox subscription and one sweeper timer expires unanswered publishes, where `js.publish`
 * makes a request per message (its own timer and two Error objects with stack traces each:
 * about a tenth of ingest's CPU at 2,000 webhooks/s). Publishes asked for during one turn of the
 * event loop are written together at its check phase (setImmediate), so a burst of webhooks,
 * each in its own I/O callback, is one socket write rather than one per message.
 *
 * An unanswered publish (NATS down, a write lost with a dropped connection) rejects after its
 * timeout, and one no stream takes rejects at once on the server's no-responders answer: the
 * caller retries or answers 503 so the provider does; if the message had in fact been stored,
 * the retry is deduped by its Nats-Msg-Id.
 */
export class DurablePublisher {
  private readonly prefix: string
  private readonly pending = new Map<string, Pending>()
  private readonly subscription: Subscription
  private readonly sweeper: NodeJS.Timeout
  private readonly defaultTimeoutMs: number
  private next = 0
  private outgoing: Outgoing[] = []

  constructor(
    private readonly nc: NatsConnection,
    options: {
      /** How long a publish waits for its acknowledgement unless it says otherwise, ms. */
      timeoutMs?: number
      /** How often expired publishes are looked for, ms: the timeout's resolution. */
      sweepEveryMs?: number
    } = {},
  ) {
    this.defaultTimeoutMs = options.timeoutMs ?? 5000
    this.prefix = createInbox()
    this.subscription = nc.subscribe(`${this.prefix}.*`, { callback: (error, msg) => (error ? undefined : this.settle(msg)) })
    this.sweeper = setInterval(() => this.expire(Date.now()), options.sweepEveryMs ?? 50)
    this.sweeper.unref()
  }

  publish(subject: string, data: Uint8Array, options: DurablePublishOptions): Promise<DurableAck> {
    return new Promise((resolve, reject) => {
      const token = (this.next++).toString(36)
      this.pending.set(token, { subject, resolve, reject, deadline: Date.now() + (options.timeoutMs ?? this.defaultTimeoutMs) })
      if (this.outgoing.length === 0) setImmediate(() => this.flush())
      this.outgoing.push({ subject, data, options, token })
    })
  }

  /** Rejects what is still pending and stops listening; call before draining the connection. */
  close(): void {
    // Not yet written: never will be (the callers get their rejection below).
    this.outgoing = []
    clearInterval(this.sweeper)
    this.subscription.unsubscribe()
    this.expire(Number.POSITIVE_INFINITY)
  }

  private flush(): void {
    const batch = this.outgoing
    this.outgoing = []
    for (const { subject, data, options, token } of batch) {
      const h = natsHeaders()
      for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v)
      h.set('Nats-Msg-Id', options.msgId)
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

  private settle(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1)
    const pending = this.pending.get(token)
    if (!pending) return // Answered after its deadline: the caller already got its rejection.
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
    if (ack.error || !ack.stream || typeof ack.seq !== 'number') {
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause: new Error(ack.error?.description ?? 'invalid ack') }))
      return
    }
    pending.resolve({ stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate === true })
  }

  private expire(now: number): void {
    for (const [token, pending] of this.pending) {
      if (pending.deadline > now) continue
      this.pending.delete(token)
      pending.reject(new PublishNotAcknowledgedError(pending.subject, { cause: new Error('no acknowledgement in time') }))
    }
  }
}
