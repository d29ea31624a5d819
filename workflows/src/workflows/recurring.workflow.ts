import type { RecurringOccurrenceInput } from '@banditore/contracts'
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common'
import { ApplicationFailure, ParentClosePolicy, WorkflowIdReusePolicy, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow'
import type { createRecurringActivities } from '../activities/recurring.activities.js'
import { massBroadcastWorkflow } from './broadcast.workflow.js'

type Activities = ReturnType<typeof createRecurringActivities>

// Asking the staff API: short, retried without limit (an outage of the staff API or NATS delays
// the occurrence, it does not lose it; the answer is the same however often it is asked).
const steps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ContractError'] },
})

/** What one occurrence came to. */
export interface OccurrenceOutcome {
  scheduledAt: string
  outcome: 'sent' | 'skipped' | 'already-sent'
  broadcastId?: string
  reason?: string
}

/** Temporal appends the nominal time to a scheduled workflow's id: `<schedule id>-2026-12-07T17:00:00Z`. */
const SCHEDULED_SUFFIX = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z)$/

/**
 * One occurrence of a recurring broadcast, started by the series' Temporal Schedule. It asks the
 * staff API (which owns the series, its approval and its skipped or edited occurrences) what to
 * send, then runs it as an ordinary broadcast: a child `massBroadcastWorkflow` under the
 * broadcast's own workflow id, so progress, steering and history are a broadcast's. Once each: the
 * broadcast is keyed by series and time in the staff API, and its workflow id rejects a second
 * start. It waits for the broadcast to end, so the schedule's overlap policy never runs two
 * occurrences of a series at once.
 */
export async function recurringOccurrenceWorkflow(input: RecurringOccurrenceInput): Promise<OccurrenceOutcome> {
  const scheduledAt = SCHEDULED_SUFFIX.exec(workflowInfo().workflowId)?.[1]
  if (!scheduledAt) throw ApplicationFailure.nonRetryable(`${workflowInfo().workflowId} was not started by a schedule: no scheduled time`, 'NotScheduled')
  const at = new Date(scheduledAt).toISOString()
  const answer = await steps.materializeOccurrence({ version: 1, seriesId: input.seriesId, tenant: input.tenant, scheduledAt: at })
  if (answer.outcome === 'skip') return { scheduledAt: at, outcome: 'skipped', reason: answer.reason }
  const { run } = answer
  try {
    await executeChild(massBroadcastWorkflow, {
      // BroadcastWorkflow.workflowId: the broadcast's own id, as when staff send one by hand.
      workflowId: `broadcast:${run.tenant}:${run.broadcastId}`,
      taskQueue: workflowInfo().taskQueue,
      args: [run],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      // Staff stop a running occurrence as any broadcast (its cancel), not by ending this workflow.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    })
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return { scheduledAt: at, outcome: 'already-sent', broadcastId: run.broadcastId }
    throw error
  }
  return { scheduledAt: at, outcome: 'sent', broadcastId: run.broadcastId }
}
