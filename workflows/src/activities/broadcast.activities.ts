import type { BroadcastRunCounts, BroadcastRunInput, BroadcastRunState, Tenant } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity'
import type { Kysely } from 'kysely'
import { fetchAudiencePage } from '../sending/broadcast-audience.client.js'
import type { WorkerDatabase, LedgerState } from '../worker-database.js'
import { recordRunState, recordRunTotal } from '../sending/broadcast-run.repository.js'
import { countAmbiguity, noteAmbiguousSends, recordFinishedOnce, recordRunEvent } from '../sending/broadcast-run-event.repository.js'
import { batchesOf, retryReleased, sendBatches, sendPendingRows, type BroadcastSettings } from '../sending/broadcast-send-pipeline.js'
import { TemplateUnavailableError, type BroadcastMessage, type BroadcastSenderDeps } from '../sending/broadcast-send-batch.js'
import {
  countByState,
  failExhausted,
  failUnresolvable,
  type LedgerRow,
  recordRecipients,
  releaseUnconfirmedSends,
  releaseUnprovenSends,
  skipPending,
  unsettledRows,
} from '../sending/send-ledger.repository.js'

export interface BroadcastActivityDeps extends BroadcastSenderDeps {
  db: Kysely<WorkerDatabase>
  nc: NatsConnection
  tenants: TenantDirectory
  logger: Logger
  settings?: Partial<BroadcastSettings>
}

/** What a run needs to send: the workflow input without its schedule and checkpoint. */
export type BroadcastRunRef = Pick<BroadcastRunInput, 'broadcastId' | 'tenant' | 'topics' | 'languages' | 'defaultLanguage' | 'content' | 'priority' | 'answerable' | 'unansweredPoll'>

export interface PageResult {
  next?: string
  total: number
  /** The recipients of the pages read by this activity, by outcome. */
  counts: BroadcastRunCounts
}

export interface RemainderResult {
  /** Recipients not yet settled (pending or ambiguous). */
  remaining: number
  /** When to look again; absent when nothing is left. */
  retryInMs?: number
  /** The whole broadcast by outcome. */
  counts: BroadcastRunCounts
}

export const DEFAULT_BROADCAST_SETTINGS: BroadcastSettings = {
  pageSeconds: 2,
  spanSeconds: 120,
  batchSize: 250,
  batchSeconds: 0.25,
  pipelineDepth: 3,
  sendConcurrency: 128,
  ambiguityWindowMs: 60_000,
  ambiguityGiveUpMs: 24 * 60 * 60 * 1000,
  emergencyResendAfterMs: 15_000,
  maxAttempts: 8,
  pairIntervalMs: 6_000,
  pairWindowMs: 2_000,
  retryRounds: 2,
  audienceTimeoutMs: 10_000,
}

export function countsOf(byState: Partial<Record<LedgerState, number>>, processed: number): BroadcastRunCounts {
  const n = (s: LedgerState) => byState[s] ?? 0
  return {
    processed,
    accepted: n('accepted') + n('sent') + n('delivered') + n('read'),
    failed: n('failed'),
    skipped: n('skipped'),
    deferred: n('pending') + n('sending'),
  }
}

/**
 * Heartbeats every `everyMs` while `work` runs, so cancellation (pause, cancel) reaches it and a
 * dead worker is noticed; `progress` sets the details a retried attempt resumes from.
 */
async function heartbeating<T>(work: (checkCancelled: () => void, progress: (details: unknown) => void) => Promise<T>, everyMs = 1000): Promise<T> {
  const context = Context.current()
  let details: unknown = context.info.heartbeatDetails
  context.heartbeat(details)
  const timer = setInterval(() => context.heartbeat(details), everyMs)
  const checkCancelled = () => {
    if (context.cancellationSignal.aborted) throw new CancelledFailure('the broadcast was paused or cancelled')
  }
  try {
    return await work(checkCancelled, (next) => {
      details = next
      context.heartbeat(details)
    })
  } catch (error) {
    // Retrying cannot help: the workflow halts the run until staff resume it.
    if (error instanceof TemplateUnavailableError) {
      throw ApplicationFailure.create({
        type: error.name,
        message: error.message,
        nonRetryable: true,
        details: [{ template: error.template, providerCode: error.providerCode }],
      })
    }
    throw error
  } finally {
    clearInterval(timer)
  }
}

const addCounts = (a: BroadcastRunCounts, b: BroadcastRunCounts): BroadcastRunCounts => ({
  processed: a.processed + b.processed,
  accepted: a.accepted + b.accepted,
  failed: a.failed + b.failed,
  skipped: a.skipped + b.skipped,
  deferred: a.deferred + b.deferred,
})

/** Where a span of pages stands, as heartbeat details: a retried attempt resumes there. */
interface SpanProgress {
  cursor?: string
  total: number
  counts: BroadcastRunCounts
}

/** The broadcast activities, built from the worker's connections (see worker main). */
export function createBroadcastActivities(deps: BroadcastActivityDeps) {
  const settings: BroadcastSettings = { ...DEFAULT_BROADCAST_SETTINGS, ...deps.settings }
  const { db, logger } = deps

  const tenantOf = (id: string): Tenant => {
    const tenant = deps.tenants.get(id)
    if (!tenant) throw ApplicationFailure.nonRetryable(`tenant ${id} is not configured on this worker`, 'BroadcastConfigurationError')
    return tenant
  }
  /**
   * The settings of a run, paced by its sender's rate: a batch is about `batchSeconds` of
   * sending, so what is claimed ahead of the limiter (pipelineDepth batches) is a second or so
   * at any tier, and pause, cancel and opt-outs reach the sends that follow within that.
   */
  const pacedSettings = (message: BroadcastMessage, run: BroadcastRunRef) => {
    const channels = (['whatsapp', 'sms'] as const).filter((c) => run.content[c] && message.tenant.channels[c])
    const rate = Math.min(...channels.map((c) => message.tenant.channels[c]?.messagesPerSecond ?? 80))
    const batchSize = Math.min(settings.batchSize, Math.max(10, Math.round(rate * settings.batchSeconds)))
    return { channels, rate, settings: { ...settings, batchSize } }
  }
  const messageOf = (run: BroadcastRunRef): BroadcastMessage => ({
    broadcastId: run.broadcastId,
    tenant: tenantOf(run.tenant),
    content: run.content,
    defaultLanguage: run.defaultLanguage,
    ...(run.priority ? { priority: run.priority } : {}),
    ...(run.answerable ? { answerable: true } : {}),
  })

  /**
   * A sending step run again by Temporal (its previous attempt died with the worker, timed out
   * or failed on a dependency) is an interruption: staff see it in progress and audit.
   */
  const noteInterruption = async (run: BroadcastRunRef, step: 'pages' | 'remainder') => {
    const { attempt } = Context.current().info
    if (attempt <= 1) return
    await recordRunEvent(db, { broadcastId: run.broadcastId, tenant: run.tenant, kind: 'interrupted', detail: { step, attempt } })
    logger.warn({ tenant: run.tenant, broadcastId: run.broadcastId, step, attempt }, 'broadcast step resumed after an interruption')
  }

  return {
    /** WhatsApp refused the run's template: the run halts, and its history says why. */
    async recordBroadcastHalt(input: { broadcastId: string; tenant: string; template: string; providerCode: string }): Promise<void> {
      await recordRunEvent(db, { broadcastId: input.broadcastId, tenant: input.tenant, kind: 'halted', detail: { template: input.template, providerCode: input.providerCode } })
      logger.warn({ tenant: input.tenant, broadcastId: input.broadcastId, template: input.template, providerCode: input.providerCode }, 'broadcast halted: WhatsApp refuses its template')
    },

    async recordBroadcastRunState(input: { broadcastId: string; tenant: string; state: BroadcastRunState }): Promise<void> {
      await recordRunState(db, input)
      logger.info({ tenant: input.tenant, broadcastId: input.broadcastId, state: input.state }, 'broadcast run state')
    },

    /**
     * Reads the audience after `cursor` page by page and sends to everyone still pending, batch
     * by batch (opt-outs checked before each batch), for about `spanSeconds`; the next page is
     * read and recorded while the current one is sent, so the sender never idles between pages.
     * Safe to run again for the same cursor: the ledger skips whoever was already handled, and a
     * retried attempt starts after the last page its predecessor finished (heartbeat details).
     */
    async sendBroadcastPages(input: { run: BroadcastRunRef; cursor?: string }): Promise<PageResult> {
      const { run } = input
      const message = messageOf(run)
      const { channels, rate, settings } = pacedSettings(message, run)
      const limit = Math.max(100, Math.min(5000, Math.round(rate * settings.pageSeconds)))
      const read = async (after: string | undefined) => {
        const page = await fetchAudiencePage(
          deps.nc,
          {
            version: 1,
            tenant: run.tenant,
            snapshotId: run.broadcastId,
            topics: run.topics,
            ...(run.languages ? { languages: run.languages } : {}),
            channels: [...channels],
            ...(run.unansweredPoll ? { unansweredPoll: run.unansweredPoll } : {}),
            ...(after ? { after } : {}),
            // An emergency's first page is small: its first messages leave while the next is read.
            limit: run.priority === 'emergency' && after === undefined ? Math.min(limit, 250) : limit,
          },
          settings.audienceTimeoutMs,
        )
        return { page, rows: await recordRecipients(db, run.broadcastId, run.tenant, page.recipients) }
      }
      await noteInterruption(run, 'pages')
      return await heartbeating(async (checkCancelled, progress) => {
        const resumed = Context.current().info.heartbeatDetails as SpanProgress | undefined
        let done: SpanProgress = resumed ?? { ...(input.cursor ? { cursor: input.cursor } : {}), total: 0, counts: countsOf({}, 0) }
        const started = Date.now()
        // Pages read, in order, with their batches not yet sent: progress moves past a page once
        // all of its batches (and those of every page before it) are recorded.
        const pages: Array<{ next?: string; total: number; ids: number[]; outstanding: number }> = []
        const pageOf = new Map<readonly LedgerRow[], (typeof pages)[number]>()
        async function* batches() {
          let current = read(done.cursor)
          for (let first = done.cursor === undefined; ; first = false) {
            const { page, rows: pageRows } = await current
            if (first) await recordRunTotal(db, run.broadcastId, page.total)
            const more = page.next !== undefined && Date.now() - started < settings.spanSeconds * 1000
            // The next page is read and recorded while this one is sent.
            const upcoming = more ? read(page.next) : undefined
            upcoming?.catch(() => undefined)
            const pending = pageRows.filter((r) => r.state === 'pending')
            const entry = { ...(page.next ? { next: page.next } : {}), total: page.total, ids: pageRows.map((r) => r.id), outstanding: 0 }
            pages.push(entry)
            const cut = [...batchesOf(pending, settings.batchSize)]
            entry.outstanding = cut.length
            if (cut.length === 0) await settle()
            for (const batch of cut) {
              pageOf.set(batch, entry)
              yield batch
            }
            if (!upcoming) return
            current = upcoming
          }
        }
        const settle = async () => {
          while (pages[0] && pages[0].outstanding === 0) {
            const page = pages.shift() as (typeof pages)[number]
            const byState = await countByState(db, run.broadcastId, page.ids)
            done = { ...(page.next ? { cursor: page.next } : {}), total: page.total, counts: addCounts(done.counts, countsOf(byState, page.ids.length)) }
            progress(done)
          }
        }
        let settling = Promise.resolve()
        const released = await sendBatches(deps, settings, message, batches(), checkCancelled, (batch) => {
          const page = pageOf.get(batch)
          pageOf.delete(batch)
          if (page) page.outstanding--
          settling = settling.then(settle)
        })
        await settling
        await retryReleased(deps, settings, message, released, checkCancelled)
        return { ...(done.cursor ? { next: done.cursor } : {}), total: done.total, counts: done.counts }
      })
    },

    /**
     * After the last page: settles whoever is left. Pending rows (transient failures) are sent
     * again; ambiguous rows of a routine broadcast are released only by the reconcile rule
     * (releaseUnconfirmedSends) and given up as failed, never resent, after `ambiguityGiveUpMs`.
     * An emergency's are also resent without proof once `emergencyResendAfterMs` went by, and its
     * events say so.
     */
    async sendBroadcastRemainder(input: { run: BroadcastRunRef }): Promise<RemainderResult> {
      const { run } = input
      const message = messageOf(run)
      const { settings } = pacedSettings(message, run)
      await noteInterruption(run, 'remainder')
      const event = async (kind: 'ambiguous' | 'resent' | 'unresolved', count: number, detail?: Record<string, unknown>) => {
        if (count > 0) await recordRunEvent(db, { broadcastId: run.broadcastId, tenant: run.tenant, kind, count, ...(detail ? { detail } : {}) })
      }
      const emergency = run.priority === 'emergency'
      return await heartbeating(async (checkCancelled) => {
        await failExhausted(db, run.broadcastId, settings.maxAttempts)
        await event('ambiguous', await noteAmbiguousSends(db, run.broadcastId))
        await event('unresolved', await failUnresolvable(db, run.broadcastId, settings.ambiguityGiveUpMs))
        const ambiguity = await releaseUnconfirmedSends(db, run.broadcastId, settings.ambiguityWindowMs)
        await event('resent', ambiguity.released)
        if (emergency) {
          await event('resent', await releaseUnprovenSends(db, run.broadcastId, settings.emergencyResendAfterMs), { withoutProof: true })
        }
        for (;;) {
          checkCancelled()
          const pending = (await unsettledRows(db, run.broadcastId, 5000)).filter((r) => r.state === 'pending' && r.attempts < settings.maxAttempts)
          if (pending.length === 0) break
          await sendPendingRows(deps, { ...settings, retryRounds: 0 }, message, pending, checkCancelled)
          if (pending.length < 5000) break
        }
        await failExhausted(db, run.broadcastId, settings.maxAttempts)
        const byState = await countByState(db, run.broadcastId)
        const counts = countsOf(byState, Object.values(byState).reduce((a, b) => a + b, 0))
        const remaining = counts.deferred
        if (remaining > 0) {
          logger.info({ tenant: run.tenant, broadcastId: run.broadcastId, remaining, ambiguous: ambiguity.waiting }, 'broadcast remainder waits')
        }
        const retryInMs = remaining === 0 ? undefined : Math.min(ambiguity.retryInMs ?? 2000, emergency ? settings.emergencyResendAfterMs : Number.POSITIVE_INFINITY)
        return { remaining, ...(retryInMs !== undefined ? { retryInMs } : {}), counts }
      })
    },

    /** Closes the run: on cancel, whoever is still pending is skipped. Returns the final counts. */
    async finishBroadcast(input: { broadcastId: string; tenant: string; state: 'completed' | 'cancelled' }): Promise<BroadcastRunCounts> {
      if (input.state === 'cancelled') await skipPending(db, input.broadcastId, 'cancelled')
      const byState = await countByState(db, input.broadcastId)
      const counts = countsOf(byState, Object.values(byState).reduce((a, b) => a + b, 0))
      const ambiguity = await countAmbiguity(db, input.broadcastId)
      const unconfirmed = (byState.accepted ?? 0) + ambiguity.waiting
      // Once per run: a retried finish finds its event and leaves it.
      await recordFinishedOnce(db, { broadcastId: input.broadcastId, tenant: input.tenant, detail: { state: input.state, ...counts, unconfirmed, ambiguity } })
      // After its event: whoever sees the run finished finds the event in its history.
      await recordRunState(db, input)
      logger.info({ tenant: input.tenant, broadcastId: input.broadcastId, state: input.state, ...counts, unconfirmed, ambiguity }, 'broadcast finished')
      return counts
    },
  }
}
