import { jetstream, type JetStreamClient, type PubAck } from '@nats-io/jetstream'
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node'

export interface DurablePublishOptions {
  /** JetStream dedupe key: a second publish with the same id inside the stream's window is dropped. */
  msgId: string
  headers?: Record<string, string>
  /** How long to wait for the stream's acknowledgement. */
  timeoutMs?: number
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

/** A JetStream publisher whose promise resolves only once the stream stored the message. */
export class DurablePublisher {
  private readonly js: JetStreamClient
  constructor(nc: NatsConnection) {
    this.js = jetstream(nc)
  }

  async publish(subject: string, data: Uint8Array, options: DurablePublishOptions): Promise<PubAck> {
    const h = natsHeaders()
    for (const [k, v] of Object.entries(options.headers ?? {})) h.set(k, v)
    try {
      return await this.js.publish(subject, data, {
        msgID: options.msgId,
        headers: h,
        timeout: options.timeoutMs ?? 5000,
      })
    } catch (cause) {
      throw new PublishNotAcknowledgedError(subject, { cause })
    }
  }
}
