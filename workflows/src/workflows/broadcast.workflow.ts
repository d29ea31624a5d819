import type {
  BroadcastQueryName,
  BroadcastRunCheckpoint,
  BroadcastRunCounts,
  BroadcastRunInput,
  BroadcastRunProgress,
  BroadcastRunState,
  BroadcastSignalName,
} from '@banditore/contracts'
import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow'
import type { BroadcastRunRef, createBroadcastActivities } from '../activities/broadcast.activities.js'

type Activities = ReturnType<typeof createBroadcastActivities>

// Sending activities: long (a page is seconds to minutes of sending at the sender's rate),
// heartbeating (the SDK sends at most one per 0.8 × timeout, which also bounds how long a pause
// or cancel takes to reach a running page), so a dead worker is noticed within the timeout and the
// page runs again elsewhere (the send ledger makes that safe). Retried without limit: their
// failures are outages (NATS, PostgreSQL, the audience), not verdicts.
const sending = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '6 seconds',
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['BroadcastConfigurationError'] },
})
const bookkeeping = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds' },
})

export const pauseSignal = defineSignal<[]>('pause' satisfies BroadcastSignalName)
export const resumeSignal = defineSignal<[]>('resume' satisfies BroadcastSignalName)
export const cancelSignal = defineSignal<[]>('cancel' satisfies BroadcastSignalName)
export const progressQuery = defineQuery<BroadcastRunProgress>('progress' satisfies BroadcastQueryName)

/** Past this many history events a run continues as new (far below Temporal's 51,200). */
const HISTORY_LIMIT = 2_000

const zero = (): BroadcastRunCounts => ({ processed: 0, accepted: 0, failed: 0, skipped: 0, deferred: 0 })

/**
 * One broadcast, from its scheduled time to its last recipient. The audience is read and sent by
 * activities of about 30 s each (pages of a few seconds of sending, in batches); after the last
 * page, a remainder pass settles transient failures and ambiguous sends. The run continues as
 * new, carrying a checkpoint, whenever its history grows, so audiences of 100,000 and more keep
 * each run to a few hundred events. Signals pause (before the next batch), resume and cancel;
 * the `progress` query answers where it stands. A routine run that reaches one of its quiet
 * windows (the tenant's quiet hours, `quietWindows`) pauses before the next batch and resumes at
 * the window's end. When WhatsApp refuses the template (paused for low quality, disabled), the
 * run halts as if paused, with a `halted` event naming the template, and staff resume it once
 * Meta approves it again; nobody is failed for it.
 */
export async function massBroadcastWorkflow(input: BroadcastRunInput): Promise<BroadcastRunProgress> {
  const run: BroadcastRunRef = {
    broadcastId: input.broadcastId,
    tenant: input.tenant,
    topics: input.topics,
    ...(input.languages ? { languages: input.languages } : {}),
    defaultLanguage: input.defaultLanguage,
    content: input.content,
    ...(input.priority ? { priority: input.priority } : {}),
    ...(input.answerable ? { answerable: true } : {}),
    ...(input.unansweredPoll ? { unansweredPoll: input.unansweredPoll } : {}),
  }
  const checkpoint: BroadcastRunCheckpoint = input.checkpoint ?? {
    phase: 'audience',
    counts: zero(),
    paused: false,
    generation: 0,
    startedAt: new Date().toISOString(),
  }
  let { phase, cursor, total, counts, paused } = checkpoint
  let state: BroadcastRunState = paused ? 'paused' : 'sending'
  let recorded: BroadcastRunState | undefined
  let cancelRequested = false
  let scope: CancellationScope | undefined
  // Quiet hours: the window the run is waiting out, and the one staff resumed it in (sent anyway).
  let quiet: { until: string } | undefined
  let quietOverride: string | undefined
  const quietWindowNow = () => {
    if (input.priority === 'emergency') return undefined
    const now = Date.now()
    return input.quietWindows?.find((w) => Date.parse(w.from) <= now && now < Date.parse(w.until) && w.until !== quietOverride)
  }

  setHandler(pauseSignal, () => {
    paused = true
    scope?.cancel()
  })
  setHandler(resumeSignal, () => {
    paused = false
    if (quiet) quietOverride = quiet.until
  })
  setHandler(cancelSignal, () => {
    cancelRequested = true
    scope?.cancel()
  })
  const progress = (): BroadcastRunProgress => ({
    broadcastId: input.broadcastId,
    state,
    phase,
    ...(total !== undefined ? { total } : {}),
    counts,
    generation: checkpoint.generation,
  })
  setHandler(progressQuery, progress)

  const record = async (next: BroadcastRunState) => {
    state = next
    if (recorded === next) return
    await bookkeeping.recordBroadcastRunState({ broadcastId: input.broadcastId, tenant: input.tenant, state: next })
    recorded = next
  }
  /**
   * Runs a sending activity that pause and cancel can interrupt; undefined when they did, or when
   * WhatsApp refused the template: the run then halts (paused) until staff resume it.
   */
  const interruptible = async <T>(work: () => Promise<T>): Promise<T | undefined> => {
    scope = new CancellationScope()
    try {
      return await scope.run(work)
    } catch (error) {
      if ((paused || cancelRequested) && isCancellation(error)) return undefined
      const refusal = templateRefusal(error)
      if (refusal) {
        paused = true
        await bookkeeping.recordBroadcastHalt({ broadcastId: input.broadcastId, tenant: input.tenant, ...refusal })
        return undefined
      }
      throw error
    } finally {
      scope = undefined
    }
  }

  if (!input.checkpoint && input.sendAt) {
    const wait = Date.parse(input.sendAt) - Date.now()
    if (wait > 0) {
      await record('scheduled')
      await condition(() => cancelRequested, wait)
    }
  }

  for (;;) {
    if (cancelRequested) {
      counts = await bookkeeping.finishBroadcast({ broadcastId: input.broadcastId, tenant: input.tenant, state: 'cancelled' })
      state = 'cancelled'
      return progress()
    }
    if (paused) {
      await record('paused')
      await condition(() => !paused || cancelRequested)
      continue
    }
    // Inside the tenant's quiet hours a routine run pauses and resumes by itself at their end;
    // staff may pause, cancel, or resume it now (sending inside the quiet hours).
    const window = quietWindowNow()
    if (window) {
      quiet = window
      await record('paused')
      await condition(() => cancelRequested || paused || quietOverride === window.until, Date.parse(window.until) - Date.now())
      quiet = undefined
      continue
    }
    await record('sending')

    if (phase === 'audience') {
      const page = await interruptible(() => sending.sendBroadcastPages({ run, ...(cursor !== undefined ? { cursor } : {}) }))
      if (page) {
        total = page.total
        counts = {
          processed: counts.processed + page.counts.processed,
          accepted: counts.accepted + page.counts.accepted,
          failed: counts.failed + page.counts.failed,
          skipped: counts.skipped + page.counts.skipped,
          deferred: counts.deferred + page.counts.deferred,
        }
        cursor = page.next
        if (cursor === undefined) phase = 'remainder'
      }
    } else {
      const remainder = await interruptible(() => sending.sendBroadcastRemainder({ run }))
      if (remainder) {
        counts = remainder.counts
        if (remainder.remaining === 0) {
          counts = await bookkeeping.finishBroadcast({ broadcastId: input.broadcastId, tenant: input.tenant, state: 'completed' })
          state = 'completed'
          return progress()
        }
        // Ambiguous sends wait for the status feed; pause and cancel still wake us.
        await condition(() => paused || cancelRequested, remainder.retryInMs ?? 2000)
      }
    }

    const info = workflowInfo()
    // A cancel is not carried over: it is acted on first, at the top of the loop.
    if (!cancelRequested && (info.continueAsNewSuggested || info.historyLength > HISTORY_LIMIT)) {
      return await continueAsNew<typeof massBroadcastWorkflow>({
        ...input,
        checkpoint: {
          phase,
          ...(cursor !== undefined ? { cursor } : {}),
          ...(total !== undefined ? { total } : {}),
          counts,
          paused,
          generation: checkpoint.generation + 1,
          startedAt: checkpoint.startedAt,
        },
      })
    }
  }
}

/** The template and code when a sending activity failed because WhatsApp refuses the template. */
function templateRefusal(error: unknown): { template: string; providerCode: string } | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'TemplateUnavailableError') return undefined
  const detail = (cause.details?.[0] ?? {}) as { template?: unknown; providerCode?: unknown }
  return { template: String(detail.template ?? 'unknown'), providerCode: String(detail.providerCode ?? 'unknown') }
}
