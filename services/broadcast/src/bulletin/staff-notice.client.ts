import { StaffNoticeWorkflow, type StaffNoticeInput } from '@banditore/contracts'
import type { Client } from '@temporalio/client'
import { startWorkflowOnce } from '../broadcast-workflow.client.js'

/** Starts the worker's one-off notice to staff; starting the same notice twice starts it once. */
export interface StaffNotices {
  send(input: StaffNoticeInput): Promise<void>
}

export function createStaffNotices({ client, taskQueue }: { client: Client; taskQueue: string }): StaffNotices {
  return {
    async send(input) {
      await startWorkflowOnce(
        client,
        { type: StaffNoticeWorkflow.type, workflowId: StaffNoticeWorkflow.workflowId(input.tenant, input.noticeId), taskQueue, input },
        "Temporal non ha avviato l'avviso ai reperibili: riprovare",
      )
    },
  }
}
