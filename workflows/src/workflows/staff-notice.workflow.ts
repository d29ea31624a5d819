import type { StaffNoticeInput } from '@banditore/contracts'
import { proxyActivities } from '@temporalio/workflow'
import type { createEmergencyActivities } from '../activities/emergency.activities.js'

type Activities = ReturnType<typeof createEmergencyActivities>

const sending = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['BroadcastConfigurationError'] },
})

/**
 * A one-off notice to staff (the tenant's on-duty contacts): "a draft awaits you". The same
 * activity as the escalation's notices, so it goes through the send ledger under `noticeId`
 * (each contact once, whatever retries happen) and from the tenant's number, never from its SMS
 * sender ID. Returns what the providers accepted and refused.
 */
export async function staffNoticeWorkflow(input: StaffNoticeInput): Promise<{ accepted: number; failed: number; reasons: string[] }> {
  return await sending.notifyContacts({
    noticeId: input.noticeId,
    tenant: input.tenant,
    contacts: input.contacts,
    texts: input.texts,
    defaultLanguage: input.defaultLanguage,
    ...(input.whatsapp ? { whatsapp: input.whatsapp } : {}),
  })
}
