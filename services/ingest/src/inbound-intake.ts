import type { Logger } from '@banditore/platform'
import type { IngestMetrics } from './ingest-metrics.js'
import type { ReceivedMessageLedger } from './repositories/received-message.repository.js'

/** One canonical message ready for JetStream. */
export interface InboundEnvelope {
  readonly subject: string
  /** The contract's stable `id`: JetStream's Nats-Msg-Id and the ledger key. */
  readonly id: string
  readonly kind: 'message' | 'status' | 'unrouted'
  readonly data: Uint8Array
}

/** The JetStream edge (platform's DurablePublisher in production): resolves once the stream stored it. */
export interface IntakePublisher {
  publish(subject: string, data: Uint8Array, options: { msgId: string; timeoutMs?: number }): Promise<{ duplicate: boolean }>
}

export interface IntakeResult {
  /** Newly stored by JetStream. */
  readonly published: number
  /** Already stored before (ledger or JetStream duplicate window). */
  readonly duplicates: number
}

/** JetStream did not acknowledge every message: the caller answers 503 so the provider retries. */
export class IntakeUnavailableError extends Error {
  readonly code = 'INTAKE_UNAVAILABLE'
  readonly statusCode = 503
  constructor(
    readonly failed: number,
    options?: { cause?: unknown },
  ) {
    super(`JetStream did not acknowledge ${failed} message(s); retry later`, options)
    this.name = 'IntakeUnavailableError'
  }
}

export interface InboundIntakeDeps {
  readonly publisher: IntakePublisher
  readonly ledger: ReceivedMessageLedger
  readonly logger: Logger
  readonly metrics: IngestMetrics
  readonly publishTimeoutMs: number
}

/**
 * Puts the canonical messages of one request on JetStream, each exactly once.
 *
 * Ordering, and why (the guarantees: an answered 200 means stored; a redelivery is not stored
 * twice):
 *  1. Look the ids up in the ledger. A hit was acknowledged by JetStream before (rows are only
 *     written after acks, step 3), so it is skipped: this drops redeliveries that come after
 *     JetStream's 10-minute duplicate window.
 *  2. Publish the rest concurrently, Nats-Msg-Id = contract id, and wait for EVERY ack. Two
 *     copies racing through step 1 together (concurrent redeliveries) both publish; JetStream's
 *     window stores one. Any publish not acknowledged fails the whole request with 503: the
 *     provider retries it, the ones that were stored dedupe on the retry.
 *  3. Only then record the acknowledged ids. Writing before the ack could lose a message: a
 *     crash between the row and the publish would make the retry look like a duplicate. Writing
 *     after can only cost a duplicate: a crash between the ack and the row leaves the id
 *     unrecorded, and a retry inside the window is deduped by JetStream; only a retry later than
 *     10 minutes after such a crash would be stored twice (consumers are idempotent on `id`).
 *  4. The caller answers 2xx, without waiting for step 3's write: the answer depends on
 *     JetStream only, and a row that lands a millisecond after the answer protects as well
 *     (a provider's redelivery comes seconds to days later; an immediate one is inside the
 *     JetStream window). `idle()` waits for the writes in flight, for shutdown.
 * The ledger is an optimisation over JetStream's window, not the durability path: when
 * PostgreSQL fails, steps 1 and 3 are skipped (logged, counted) and webhooks are still accepted.
 */
export class InboundIntake {
  private readonly recording = new Set<Promise<void>>()

  constructor(private readonly deps: InboundIntakeDeps) {}

  /** Resolves once every ledger write started so far has finished (they never reject). */
  async idle(): Promise<void> {
    await Promise.all([...this.recording])
  }

  async accept(envelopes: readonly InboundEnvelope[]): Promise<IntakeResult> {
    if (envelopes.length === 0) return { published: 0, duplicates: 0 }
    const { publisher, ledger, metrics, logger, publishTimeoutMs } = this.deps
    const ids = envelopes.map((e) => e.id)

    let seen = new Set<string>()
    try {
      seen = await ledger.seen(ids)
    } catch (err) {
      metrics.ledgerErrors.inc({ operation: 'lookup' })
      logger.warn({ err }, 'received-message ledger look-up failed; relying on the JetStream duplicate window')
    }
    // The same id twice in one webhook (a provider repeating an item) is published once.
    const pending = [...new Map(envelopes.filter((e) => !seen.has(e.id)).map((e) => [e.id, e])).values()]
    let duplicates = envelopes.length - pending.length
    if (seen.size > 0) metrics.duplicates.inc({ stage: 'ledger' }, seen.size)

    const outcomes = await Promise.allSettled(
      pending.map((e) => publisher.publish(e.subject, e.data, { msgId: e.id, timeoutMs: publishTimeoutMs })),
    )
    const acknowledged: string[] = []
    let published = 0
    let failure: unknown
    let failed = 0
    outcomes.forEach((outcome, i) => {
      const envelope = pending[i] as InboundEnvelope
      if (outcome.status === 'fulfilled') {
        acknowledged.push(envelope.id)
        if (outcome.value.duplicate) {
          duplicates++
          metrics.duplicates.inc({ stage: 'jetstream' })
        } else {
          published++
          metrics.published.inc({ kind: envelope.kind })
        }
      } else {
        failed++
        failure ??= outcome.reason
      }
    })

    // Recorded even when another publish of this request failed: these are stored.
    this.recordInBackground(acknowledged)
    if (failed > 0) throw new IntakeUnavailableError(failed, { cause: failure })
    return { published, duplicates }
  }

  private recordInBackground(ids: string[]): void {
    if (ids.length === 0) return
    const { ledger, metrics, logger } = this.deps
    const write = ledger
      .record(ids)
      .catch((err: unknown) => {
        metrics.ledgerErrors.inc({ operation: 'record' })
        logger.warn({ err, count: ids.length }, 'received-message ledger insert failed; these ids rely on the JetStream duplicate window')
      })
      .finally(() => this.recording.delete(write))
    this.recording.add(write)
  }
}
