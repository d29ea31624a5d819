import type { DeliveryStatus } from '@banditore/contracts'
import { PermanentMessageError } from '@banditore/platform'
import { CitizenSession } from './citizen-session.js'
import type { ProcessingDeps } from './verdict-handler.js'

/**
 * Provider errors meaning "this person does not want our messages on this channel any more":
 * WhatsApp 131050 (the user stopped marketing messages from the business) and the SMS gateway's
 * 21610 (the recipient replied STOP to the gateway). Sending again only fails and hurts the
 * sender number's quality rating.
 */
export const STOP_CODES: Readonly<Record<'whatsapp' | 'sms', readonly string[]>> = {
  whatsapp: ['131050'],
  sms: ['21610'],
}

export type StatusOutcome = 'irrelevant' | 'unknown-recipient' | 'already-stopped' | 'stopped'

/** Marks a subscriber stopped on their channel; the audience then leaves them out. */
export async function handleDeliveryStatus(deps: ProcessingDeps, status: DeliveryStatus): Promise<StatusOutcome> {
  if (status.state !== 'failed' || !status.error) return 'irrelevant'
  if (status.channel !== 'whatsapp' && status.channel !== 'sms') return 'irrelevant'
  if (!STOP_CODES[status.channel].includes(status.error.code)) return 'irrelevant'
  const profile = deps.profiles.get(status.tenant)
  if (!profile) throw new PermanentMessageError(`unknown tenant ${status.tenant}`, { code: 'UNKNOWN_TENANT' })
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const session = await CitizenSession.open(trx, profile, status.recipient, now, { actor: 'provider' }, deps.hashPhone)
    const row = session.subscriber
    if (!row || row.channel !== status.channel) return 'unknown-recipient'
    if (row.channel_stopped_at) return 'already-stopped'
    // The contract has one change kind for this; it names WhatsApp but is used for both channels.
    await session.change('whatsapp-stopped', { channel_stopped_at: now, channel_stopped_code: status.error!.code })
    return 'stopped'
  })
}

/** The catalog consumer's handler (it decodes and validates the status). */
export function createDeliveryStatusMessageHandler(deps: ProcessingDeps): (status: DeliveryStatus) => Promise<void> {
  return async (status) => {
    const outcome = await handleDeliveryStatus(deps, status)
    if (outcome === 'stopped') {
      deps.logger.info({ tenant: status.tenant, statusId: status.id, code: status.error?.code }, 'subscriber stopped on their channel')
      await deps.relay.flush().catch((error: unknown) => deps.logger.warn({ err: error }, 'outbox flush failed; the relay will retry'))
    }
  }
}
