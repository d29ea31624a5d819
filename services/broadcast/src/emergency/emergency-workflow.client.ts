import { EmergencyWorkflow, type EmergencyAcknowledgement, type EmergencyRunInput } from '@banditore/contracts'
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client'
import { WorkflowUnavailableError } from '../broadcast-errors.js'

/** The staff API's handle on emergency workflows: start once, acknowledge by signal. */
export interface EmergencyWorkflows {
  start(input: EmergencyRunInput): Promise<void>
  /** False when the alert's workflow has finished (nothing left to acknowledge). */
  acknowledge(tenant: string, alertId: string, ack: EmergencyAcknowledgement): Promise<boolean>
  /** Sends the safety poll's reminder now; false when the alert's workflow has finished. */
  remindPoll(tenant: string, alertId: string, by: string): Promise<boolean>
}

export function createEmergencyWorkflows({ client, taskQueue }: { client: Client; taskQueue: string }): EmergencyWorkflows {
  return {
    async start(input) {
      try {
        await client.workflow.start(EmergencyWorkflow.type, {
          workflowId: EmergencyWorkflow.workflowId(input.tenant, input.alertId),
          taskQueue,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        })
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return
        throw new WorkflowUnavailableError("Temporal non ha avviato l'allerta: riprovare", { cause: error })
      }
    },
    async acknowledge(tenant, alertId, ack) {
      try {
        await client.workflow.getHandle(EmergencyWorkflow.workflowId(tenant, alertId)).signal(EmergencyWorkflow.signals.acknowledge, ack)
        return true
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false
        throw new WorkflowUnavailableError('Temporal non ha ricevuto la presa in carico: riprovare', { cause: error })
      }
    },
    async remindPoll(tenant, alertId, by) {
      try {
        await client.workflow.getHandle(EmergencyWorkflow.workflowId(tenant, alertId)).signal(EmergencyWorkflow.signals.remindPoll, { by })
        return true
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false
        throw new WorkflowUnavailableError('Temporal non ha ricevuto la richiesta di promemoria: riprovare', { cause: error })
      }
    },
  }
}
