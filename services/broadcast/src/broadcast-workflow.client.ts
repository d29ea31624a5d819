import {
  BroadcastWorkflow,
  type BroadcastRunInput,
  type BroadcastSignalName,
} from '@banditore/contracts'
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client'
import { WorkflowUnavailableError } from './broadcast-errors.js'

/** The staff API's handle on broadcast workflows: start once, steer by signals. */
export interface BroadcastWorkflows {
  /** Starts the broadcast's workflow; starting it again is a no-op. */
  start(input: BroadcastRunInput): Promise<void>
  signal(tenant: string, broadcastId: string, signal: BroadcastSignalName): Promise<void>
}

/**
 * Starts a workflow that runs once, ever, with its one input: a second start with the same id (a
 * retried request) is refused by Temporal and taken as done; any other failure is a
 * WorkflowUnavailableError saying `failure` to staff.
 */
export async function startWorkflowOnce(
  client: Client,
  start: { type: string; workflowId: string; taskQueue: string; input: unknown },
  failure: string,
): Promise<void> {
  try {
    await client.workflow.start(start.type, {
      workflowId: start.workflowId,
      taskQueue: start.taskQueue,
      args: [start.input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    })
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return
    throw new WorkflowUnavailableError(failure, { cause: error })
  }
}

export function createBroadcastWorkflows({ client, taskQueue }: { client: Client; taskQueue: string }): BroadcastWorkflows {
  const handle = (tenant: string, broadcastId: string) => client.workflow.getHandle(BroadcastWorkflow.workflowId(tenant, broadcastId))
  return {
    async start(input) {
      // A broadcast runs once, ever: a second start (a retried request) is refused.
      await startWorkflowOnce(
        client,
        { type: BroadcastWorkflow.type, workflowId: BroadcastWorkflow.workflowId(input.tenant, input.broadcastId), taskQueue, input },
        'Temporal did not start the broadcast',
      )
    },
    async signal(tenant, broadcastId, signal) {
      try {
        await handle(tenant, broadcastId).signal(signal)
      } catch (error) {
        // A finished run takes no signals; the caller's state check already answered.
        if (error instanceof WorkflowNotFoundError) return
        throw new WorkflowUnavailableError(`Temporal did not take the ${signal} signal`, { cause: error })
      }
    },
  }
}
