import { StaffNoticeWorkflow, type StaffNoticeInput } from '@banditore/contracts'
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client'
import { WorkflowUnavailableError } from '../broadcast-errors.js'

/** Starts the worker's one-off notice to staff; starting the same notice twice starts it once. */
export interface StaffNotices {
  send(input: StaffNoticeInput): Promise<void>
}

export function createStaffNotices({ client, taskQueue }: { client: Client; taskQueue: string }): StaffNotices {
  return {
    async send(input) {
      try {
        await client.workflow.start(StaffNoticeWorkflow.type, {
          workflowId: StaffNoticeWorkflow.workflowId(input.tenant, input.noticeId),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        })
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return
        throw new WorkflowUnavailableError("Temporal non ha avviato l'avviso ai reperibili: riprovare", { cause: error })
      }
    },
  }
}
