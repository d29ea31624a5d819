import type { ReviewDecided } from '@banditore/contracts'
import { PermanentMessageError } from '@banditore/platform'
import type { ProcessingDeps } from './verdict-handler.js'
import { blockSender } from './staff-actions.js'

/**
 * Review decisions from moderation (`moderation.review.<tenant>`): a `block` blocks the sender as
 * the desk's block does, with the person who decided as the actor and the reason in the
 * subscriber's history; `allow` and `delete` change nothing here. A redelivery finds the sender
 * already blocked and changes nothing.
 */
export function createReviewDecisionHandler(deps: ProcessingDeps): (decided: ReviewDecided) => Promise<void> {
  return async (decided) => {
    if (decided.action !== 'block') return
    const profile = deps.profiles.get(decided.tenant)
    if (!profile) throw new PermanentMessageError(`no tenant ${decided.tenant}`, { code: 'TENANT_UNKNOWN' })
    const result = await blockSender(deps, profile, decided.from, decided.by, `revisione moderazione: ${decided.reason}`)
    deps.logger.info({ tenant: decided.tenant, messageId: decided.messageId, subscriberId: result.subscriberId, changed: result.changed, actor: decided.by }, 'sender blocked on review')
    if (result.changed) await deps.relay.flush().catch((error: unknown) => deps.logger.warn({ err: error }, 'outbox flush failed; the relay will retry'))
  }
}
