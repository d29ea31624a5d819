import { DeadLetterHeaders, Subjects, type ConsumerKind } from '@banditore/contracts'
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  type ConsumerConfig,
  type ConsumerMessages,
  type JsMsg,
} from '@nats-io/jetstream'
import { nanos, type NatsConnection } from '@nats-io/transport-node'
import { PermanentMessageError } from './errors.js'
import { DurablePublisher } from './jetstream-publish.js'
import type { Logger } from './logger.js'
import type { Static, TSchema } from 'typebox'

export interface DurableConsumerSpec {
  stream: string
  /** Durable name: the consumer's position survives restarts and is shared by instances. */
  durable: string
  filterSubject: string
  /** Deliveries before a failing message is dead-lettered. */
  maxDeliver?: number
  /** Redelivery delays, in ms, for the 1st, 2nd, ... failure (the last one repeats). */
  backoffMs?: number[]
  /** How long a handler may hold a message before JetStream redelivers it. */
  ackWaitMs?: number
  /** Messages handled at once; 1 keeps per-consumer order. */
  concurrency?: number
}

export type MessageHandler = (msg: JsMsg) => Promise<void>

export interface RunningConsumer {
  /** Stops pulling, lets in-flight handlers finish, returns when they have. */
  stop(): Promise<void>
  /** Resolves when the consume loop ends (after stop, or a fatal error). */
  readonly done: Promise<void>
}

const DEFAULT_BACKOFF_MS = [1_000, 5_000, 30_000]

/** Declares (or updates) a durable pull consumer with explicit acks. Idempotent. */
export async function ensureConsumer(nc: NatsConnection, spec: DurableConsumerSpec): Promise<void> {
  const jsm = await jetstreamManager(nc)
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: spec.filterSubject,
    max_deliver: spec.maxDeliver ?? 5,
    ack_wait: nanos(spec.ackWaitMs ?? 30_000),
    max_ack_pending: Math.max(1000, (spec.concurrency ?? 1) * 4),
  }
  try {
    await jsm.consumers.info(spec.stream, spec.durable)
    await jsm.consumers.update(spec.stream, spec.durable, config)
  } catch (error) {
    if (!(error instanceof JetStreamApiError) || error.code !== JetStreamApiCodes.ConsumerNotFound) throw error
    await jsm.consumers.add(spec.stream, config)
  }
}

/**
 * Runs a handler over a durable consumer. Success acks; a thrown error naks with backoff; a
 * PermanentMessageError, or the last allowed delivery, moves the message to
 * `deadletter.<stream>.<durable>` with its origin in headers, then terminates it: a message
 * that fails too often is parked, never lost.
 */
export async function consumeDurable(
  nc: NatsConnection,
  spec: DurableConsumerSpec,
  handle: MessageHandler,
  logger: Logger,
): Promise<RunningConsumer> {
  await ensureConsumer(nc, spec)
  const consumer = await jetstream(nc).consumers.get(spec.stream, spec.durable)
  const deadLetters = new DurablePublisher(nc)
  const maxDeliver = spec.maxDeliver ?? 5
  const backoff = spec.backoffMs ?? DEFAULT_BACKOFF_MS
  const concurrency = Math.max(1, spec.concurrency ?? 1)
  const log = logger.child({ stream: spec.stream, consumer: spec.durable })

  const deadLetter = async (msg: JsMsg, error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error)
    await deadLetters.publish(Subjects.deadLetter(spec.stream, spec.durable), msg.data, {
      msgId: `${spec.stream}:${spec.durable}:${msg.seq}`,
      headers: {
        [DeadLetterHeaders.stream]: spec.stream,
        [DeadLetterHeaders.consumer]: spec.durable,
        [DeadLetterHeaders.subject]: msg.subject,
        [DeadLetterHeaders.sequence]: String(msg.seq),
        [DeadLetterHeaders.deliveries]: String(msg.info.deliveryCount),
        [DeadLetterHeaders.error]: reason.slice(0, 1000),
      },
    })
    // No reason: nats-server 2.9 ignores a +TERM that carries one, and would redeliver.
    msg.term()
    log.error({ seq: msg.seq, deliveries: msg.info.deliveryCount, err: error }, 'message dead-lettered')
  }

  // A message is in progress while its handler runs: a handler that waits its turn (a send
  // queued behind the number's rate limit) must not see its message redelivered to another
  // instance and handled twice. ack_wait then only measures how soon a dead holder is noticed.
  const heartbeatMs = Math.max(250, Math.floor((spec.ackWaitMs ?? 30_000) / 3))
  const process = async (msg: JsMsg) => {
    const heartbeat = setInterval(() => msg.working(), heartbeatMs)
    try {
      await handle(msg)
      msg.ack()
    } catch (error) {
      const permanent = error instanceof PermanentMessageError
      if (permanent || msg.info.deliveryCount >= maxDeliver) {
        try {
          await deadLetter(msg, error)
        } catch (dlqError) {
          // The dead-letter stream did not take it: leave it to be redelivered rather than lose it.
          log.error({ seq: msg.seq, err: dlqError }, 'dead-letter publish failed; message will be redelivered')
          msg.nak(backoff.at(-1))
        }
        return
      }
      const delay = backoff[Math.min(msg.info.deliveryCount - 1, backoff.length - 1)] ?? 1000
      log.warn({ seq: msg.seq, deliveries: msg.info.deliveryCount, retryInMs: delay, err: error }, 'message failed; will retry')
      msg.nak(delay)
    } finally {
      clearInterval(heartbeat)
    }
  }

  const messages: ConsumerMessages = await consumer.consume({ max_messages: concurrency * 2 })
  const inFlight = new Set<Promise<void>>()
  const done = (async () => {
    for await (const msg of messages) {
      const task = process(msg).finally(() => inFlight.delete(task))
      inFlight.add(task)
      if (inFlight.size >= concurrency) await Promise.race(inFlight)
    }
    await Promise.allSettled(inFlight)
  })()

  return {
    done,
    async stop() {
      messages.stop()
      await done
      deadLetters.close()
    },
  }
}

/** What a typed handler gets beside the decoded payload. */
export interface ConsumedMessage {
  readonly subject: string
  readonly seq: number
  readonly deliveryCount: number
  /** The raw message, for handlers that need its headers. */
  readonly msg: JsMsg
}

export type CatalogHandler<S extends TSchema> = (payload: Static<S>, message: ConsumedMessage) => Promise<void>

/**
 * Runs a handler over a consumer of the message catalog: the payload is decoded and validated
 * against the entry's contract before the handler sees it; a payload that violates it is
 * dead-lettered at once (a redelivery would not make it valid). Overrides adjust the entry's
 * delivery settings, never its durable name or subject.
 */
export async function consume<S extends TSchema>(
  nc: NatsConnection,
  entry: ConsumerKind<S>,
  handle: CatalogHandler<S>,
  logger: Logger,
  overrides: Pick<DurableConsumerSpec, 'maxDeliver' | 'concurrency' | 'backoffMs' | 'ackWaitMs'> & { durable?: string } = {},
): Promise<RunningConsumer> {
  const spec: DurableConsumerSpec = {
    stream: entry.event.stream.name,
    durable: overrides.durable ?? entry.durable,
    filterSubject: entry.filterSubject,
    ...(entry.maxDeliver === undefined ? {} : { maxDeliver: entry.maxDeliver }),
    ...(entry.concurrency === undefined ? {} : { concurrency: entry.concurrency }),
    ...(entry.ackWaitMs === undefined ? {} : { ackWaitMs: entry.ackWaitMs }),
    ...withoutUndefined({ maxDeliver: overrides.maxDeliver, concurrency: overrides.concurrency, backoffMs: overrides.backoffMs, ackWaitMs: overrides.ackWaitMs }),
  }
  const contract = entry.event.contract
  return await consumeDurable(
    nc,
    spec,
    async (msg) => {
      let payload: Static<S>
      try {
        payload = contract.decode(msg.data)
      } catch (cause) {
        throw new PermanentMessageError(`message on ${msg.subject} violates the ${contract.name} contract`, { code: 'CONTRACT_VIOLATION', cause })
      }
      await handle(payload, { subject: msg.subject, seq: msg.seq, deliveryCount: msg.info.deliveryCount, msg })
    },
    logger,
  )
}

function withoutUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
