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

export function createBroadcastWorkflows({ client, taskQueue }: { client: Client; taskQueue: string }): BroadcastWorkflows {
  const handle = (tenant: string, broadcastId: string) => client.workflow.getHandle(BroadcastWorkflow.workflowId(tenant, broadcastId))
  return {
    async start(input) {
      try {
        await client.workflow.start(BroadcastWorkflow.type, {
          workflowId: BroadcastWorkflow.workflowId(input.tenant, input.broadcastId),
          taskQueue,
          args: [input],
          // A broadcast runs once, ever: a second start (a retried request) is refused.
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        })
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return
        throw new WorkflowUnavailableError('Temporal did not start the broadcast', { cause: error })
      }
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
