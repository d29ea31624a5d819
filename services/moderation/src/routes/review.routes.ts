import { ReviewActionSchema, type ReviewDecided } from '@banditore/contracts'
import Type from 'typebox'
import { PolicyRequestError } from '../policy/policy-bench.js'
import { maskedNumber, ReviewAlreadyDecidedError, type ReviewItem, type ReviewQueue } from '../review/review-queue.js'
import { compileValidator } from '../ruleset/schema-issues.js'
import { parseBody, policyGuard, type PolicyRouteDeps, type ServiceServer } from './policy.routes.js'

export interface ReviewRouteDeps extends Pick<PolicyRouteDeps, 'authenticator' | 'store'> {
  readonly reviews: ReviewQueue
  readonly now: () => Date
  /** Publishes a decision for the services that act on it (subscriptions blocks on `block`). */
  readonly publishDecision: (decided: ReviewDecided) => Promise<void>
}

const DecisionBodySchema = Type.Object(
  {
    action: ReviewActionSchema,
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
)
const decisionBody = compileValidator(DecisionBodySchema)

/** What staff see of an item: the sender's number masked. */
const shown = (item: ReviewItem) => ({ ...item, from: maskedNumber(item.from) })

/**
 * The review queue (policy editors and admins of the tenant): the messages the rules sent to
 * `review`, oldest first, and a decision on each (allow, delete, block sender) recorded with who,
 * when and why; the first decision stands.
 */
export function registerReviewRoutes(app: ServiceServer, deps: ReviewRouteDeps): void {
  app.get('/policy/:tenant/review', async (request) => {
    const { tenant } = await policyGuard(deps, request)
    const { state = 'pending' } = request.query as { state?: string }
    if (state !== 'pending' && state !== 'decided') throw new PolicyRequestError(400, 'INVALID_STATE', 'state deve essere pending o decided')
    return { tenant, items: (await deps.reviews.list(tenant, { decided: state === 'decided' })).map(shown) }
  })

  app.post('/policy/:tenant/review/:id/decision', async (request) => {
    const { tenant, principal } = await policyGuard(deps, request)
    const { id } = request.params as { id: string }
    const body = parseBody<typeof DecisionBodySchema>(decisionBody, request.body ?? {})
    let item: ReviewItem | undefined
    try {
      item = await deps.reviews.decide(tenant, id, { action: body.action, reason: body.reason, by: principal.actor, at: deps.now().toISOString() })
    } catch (error) {
      if (!(error instanceof ReviewAlreadyDecidedError)) throw error
      // The same decision again (a retry after its publish failed) is answered as done and
      // published again (deduplicated by its id); a different one is refused.
      if (error.item.decision?.action !== body.action) throw new PolicyRequestError(409, error.code, `Il messaggio è già stato deciso da ${error.item.decision?.by}.`)
      item = error.item
    }
    if (!item) throw new PolicyRequestError(404, 'REVIEW_ITEM_UNKNOWN', 'Nessun messaggio da rivedere con questo identificativo.')
    const decision = item.decision!
    await deps.publishDecision({
      version: 1,
      id: `review:${tenant}:${item.id}`,
      tenant,
      messageId: item.messageId,
      from: item.from,
      action: decision.action,
      reason: decision.reason,
      by: decision.by,
      at: decision.at,
    })
    // The audit line: ids, the decision and the staff person; never the citizen's number or text.
    request.log.info({ tenant, messageId: item.messageId, decision: decision.action, actor: decision.by }, 'review decided')
    return { tenant, item: shown(item) }
  })
}
