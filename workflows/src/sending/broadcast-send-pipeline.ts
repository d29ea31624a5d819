import type { Logger } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { senderKeyOf, sendToRows, type BroadcastMessage, type BroadcastSenderDeps } from './broadcast-send-batch.js'
import { reservePairSlots } from '../rate-limit/rate-limit-schedule.repository.js'
import { claimForSending, recordOutcomes, skipOptedOut, stampSending, type LedgerRow } from './send-ledger.repository.js'

export interface BroadcastSettings {
  /** A page of the audience is this many seconds of sending at the sender's rate (100..5000). */
  pageSeconds: number
  /**
   * One sending activity reads pages for about this long. Between two activities the sender
   * idles for a workflow round trip and a first page (~0.1 s), so long spans; a retried activity
   * resumes from its last recorded page (heartbeat details), so they cost no durability.
   */
  spanSeconds: number
  /** Recipients per batch at most: opt-outs are checked, and rows claimed, batch by batch. */
  batchSize: number
  /** A batch is this many seconds of sending at the sender's rate (10 to batchSize rows). */
  batchSeconds: number
  /** Batches in flight at once, so ledger writes overlap with sending. */
  pipelineDepth: number
  /**
   * Provider requests in flight per batch (the rate limit paces them): with `pipelineDepth`
   * lanes, enough for a provider answering in ~0.3 s at 1,000/s.
   */
  sendConcurrency: number
  /** See releaseUnconfirmedSends: longer than the provider timeout plus status latency. */
  ambiguityWindowMs: number
  /** An ambiguous send unconfirmed this long is failed, never resent. */
  ambiguityGiveUpMs: number
  /**
   * An emergency's ambiguous send is resent this long after it left even without proof that
   * nothing was sent (a second alert beats a missed one; the run's record says so). Longer than
   * the provider request timeout, so no request of it is still in flight.
   */
  emergencyResendAfterMs: number
  /** Attempts per recipient before it fails as retries-exhausted. */
  maxAttempts: number
  /** One WhatsApp message per recipient per this many ms from one number (131056); 0: off. */
  pairIntervalMs: number
  /** A send must leave within this long of its pair slot, or it is put back (not sent). */
  pairWindowMs: number
  /** Rounds of in-page retries for transient failures before the remainder pass. */
  retryRounds: number
  audienceTimeoutMs: number
}

export interface PipelineDeps extends BroadcastSenderDeps {
  db: Kysely<WorkerDatabase>
  logger?: Pick<Logger, 'warn'>
}

/** How long each WhatsApp row must wait for its pair slot (keyed by ledger id). */
async function pairWaits(deps: PipelineDeps, settings: BroadcastSettings, message: BroadcastMessage, rows: readonly LedgerRow[]) {
  const waits = new Map<number, number>()
  const key = senderKeyOf(message.tenant, 'whatsapp')
  const whatsapp = rows.filter((r) => r.channel === 'whatsapp')
  // An emergency does not wait for its pair slot: WhatsApp tolerates a short burst per pair, and
  // a refusal (131056) puts the send back for a retry rather than delaying every recipient.
  if (!key || settings.pairIntervalMs <= 0 || whatsapp.length === 0 || message.priority === 'emergency') return waits
  const byPhone = await reservePairSlots(deps.db, key, [...new Set(whatsapp.map((r) => r.phone))], settings.pairIntervalMs, settings.pairWindowMs)
  for (const row of whatsapp) waits.set(row.id, byPhone.get(row.phone) ?? 0)
  return waits
}

/** How often a batch writes the send times of the rows whose rate-limit slot came. */
const STAMP_EVERY_MS = 100

/**
 * Collects the rows whose requests left and stamps their send time in one statement every
 * STAMP_EVERY_MS (a statement per send would cost a write per message at 1,000/s). `settled`
 * writes what is left; a crash before a write leaves the claim time, at most that much older.
 */
function sendTimeStamper(deps: PipelineDeps) {
  let ids: number[] = []
  let timer: NodeJS.Timeout | undefined
  let written: Promise<void> = Promise.resolve()
  const flush = () => {
    timer = undefined
    const batch = ids
    ids = []
    if (batch.length > 0) written = written.then(() => stampSending(deps.db, batch)).catch((error: unknown) => deps.logger?.warn({ err: error }, 'send times not recorded'))
    return written
  }
  return {
    mark(id: number) {
      ids.push(id)
      timer ??= setTimeout(flush, STAMP_EVERY_MS)
    },
    settled() {
      clearTimeout(timer)
      return flush()
    },
  }
}

/**
 * One batch: drop the opted-out, claim the rest, send, record. Returns the rows released; throws
 * TemplateUnavailableError, once its outcomes are recorded, when WhatsApp refused the template.
 */
async function sendBatch(deps: PipelineDeps, settings: BroadcastSettings, message: BroadcastMessage, batch: readonly LedgerRow[]): Promise<LedgerRow[]> {
  const skipped = new Set(await skipOptedOut(deps.db, batch.map((r) => r.id)))
  const claimed = await claimForSending(deps.db, batch.filter((r) => !skipped.has(r.id)).map((r) => r.id))
  const rows = batch.filter((r) => claimed.has(r.id))
  if (rows.length === 0) return []
  const stamper = sendTimeStamper(deps)
  const outcomes = await sendToRows(deps, message, rows, {
    concurrency: settings.sendConcurrency,
    waitMs: await pairWaits(deps, settings, message, rows),
    pairWindowMs: settings.pairWindowMs,
    onSlot: (id) => stamper.mark(id),
  })
  // Send times before outcomes: both write only rows still `sending`.
  await stamper.settled()
  await recordOutcomes(deps.db, outcomes)
  if (outcomes.halted) throw outcomes.halted
  const released = new Set(outcomes.filter((o) => o.kind === 'released').map((o) => o.id))
  return released.size === 0 ? [] : rows.filter((r) => released.has(r.id))
}

/** Cuts rows into batches of `size`. */
export function* batchesOf<T>(rows: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size)
}

/**
 * Sends a stream of batches, `pipelineDepth` at a time: a lane takes the next batch as soon as
 * its previous one is recorded, whichever page it comes from, so the sender's schedule never
 * runs dry between pages. Each batch checks opt-outs when it starts: an unsubscribe is honoured
 * from the next batch on. `checkCancelled` throws between batches once the workflow asked to
 * stop (pause, cancel). Returns the rows released by transient errors (pending again); only
 * those are kept, so a long run of pages holds no more than the batches in flight.
 */
export async function sendBatches(
  deps: PipelineDeps,
  settings: BroadcastSettings,
  message: BroadcastMessage,
  batches: AsyncIterable<readonly LedgerRow[]> | Iterable<readonly LedgerRow[]>,
  checkCancelled: () => void,
  onBatchSent: (batch: readonly LedgerRow[]) => void = () => undefined,
): Promise<LedgerRow[]> {
  const source: AsyncIterator<readonly LedgerRow[]> | Iterator<readonly LedgerRow[]> =
    Symbol.asyncIterator in batches ? batches[Symbol.asyncIterator]() : batches[Symbol.iterator]()
  const released: LedgerRow[] = []
  let finished = false
  const lane = async () => {
    try {
      while (!finished) {
        checkCancelled()
        const next = await source.next()
        if (next.done) break
        released.push(...(await sendBatch(deps, settings, message, next.value)))
        onBatchSent(next.value)
      }
    } finally {
      // One lane stopping (end, cancel, failure) stops the others taking new batches.
      finished = true
    }
  }
  // Batches already started finish and are recorded before this returns or throws: a paused or
  // cancelled activity reports only once nothing of it is still sending.
  const outcomes = await Promise.allSettled(Array.from({ length: settings.pipelineDepth }, lane))
  const failure = outcomes.find((o) => o.status === 'rejected')
  if (failure) throw failure.reason
  return released
}

/**
 * Sends to rows that were pending when read, then retries the ones released by transient errors
 * for `retryRounds` rounds with backoff (what is still pending then is left to the remainder
 * pass).
 */
export async function sendPendingRows(
  deps: PipelineDeps,
  settings: BroadcastSettings,
  message: BroadcastMessage,
  rows: readonly LedgerRow[],
  checkCancelled: () => void,
): Promise<void> {
  await retryReleased(deps, settings, message, await sendBatches(deps, settings, message, batchesOf(rows, settings.batchSize), checkCancelled), checkCancelled)
}

/** The in-page retry rounds for rows a first pass released. */
export async function retryReleased(
  deps: PipelineDeps,
  settings: BroadcastSettings,
  message: BroadcastMessage,
  released: readonly LedgerRow[],
  checkCancelled: () => void,
): Promise<void> {
  for (let round = 0; round < settings.retryRounds && released.length > 0; round++) {
    await new Promise((resolve) => setTimeout(resolve, 500 * 3 ** round))
    checkCancelled()
    released = await sendBatches(deps, settings, message, batchesOf(released, settings.batchSize), checkCancelled)
  }
}
