import { ModerationVerdictContract, Subjects, type InboundMessage, type ModerationVerdict } from '@banditore/contracts'
import { PermanentMessageError, type Logger } from '@banditore/platform'
import type { RulesetStore } from '../ruleset/ruleset-store.js'
import type { SenderHistoryStore } from '../sender/sender-history-store.js'
import type { SenderOrderGate } from '../sender/sender-order-gate.js'
import { normalizeText } from '../text/text-normalizer.js'
import { isViolation } from '../verdict/verdict-decision.js'
import type { ModerationMetrics } from '../moderation-metrics.js'
import { moderationInputOf } from './moderation-input.js'

/** Where verdicts go: resolves only once JetStream stored the verdict. */
export interface VerdictPublisher {
  publish(subject: string, data: Uint8Array, options: { msgId: string }): Promise<unknown>
}

export interface VerdictHandlerDeps {
  readonly store: RulesetStore
  readonly senders: SenderHistoryStore
  readonly publisher: VerdictPublisher
  readonly logger: Logger
  readonly metrics: ModerationMetrics
  readonly now: () => Date
  /**
   * With replicas sharing the consumer: waits until the sender's earlier messages (by stream
   * sequence) are in the shared history, so each verdict sees the history one replica would.
   */
  readonly gate?: SenderOrderGate
  /** Where `review` verdicts wait for staff (queued before the verdict is published). */
  readonly reviews?: { add(verdict: ModerationVerdict): Promise<void> }
}

/**
 * Decides on one `inbound.message.<tenant>` message (decoded and validated by the catalog
 * consumer, which dead-letters one that breaks its contract) and publishes the verdict on
 * `moderation.verdict.<tenant>` with Nats-Msg-Id = message id, so a redelivered message yields
 * one stored verdict. The consumer acks only after this resolves, that is after JetStream
 * acknowledged the verdict. A message filed under another tenant's subject can never succeed:
 * it is dead-lettered at once (PermanentMessageError).
 *
 * The verdict never stands in the way of an unsubscribe: subscriptions carries out the opt-out
 * keyword before it honours the verdict, whatever the action.
 */
export function createVerdictHandler(
  deps: VerdictHandlerDeps,
): (message: InboundMessage, subject: string, streamSeq?: number) => Promise<ModerationVerdict> {
  return async (message, subject, streamSeq) => {
    if (subject !== Subjects.inboundMessage(message.tenant)) {
      // The verdict goes to the message's tenant: a message filed under another one is a bug upstream.
      throw new PermanentMessageError(`a message of tenant ${message.tenant} arrived on ${subject}`, { code: 'TENANT_SUBJECT_MISMATCH' })
    }
    if (deps.gate && streamSeq !== undefined) await deps.gate.awaitEarlier(message, streamSeq)
    const ruleset = deps.store.current
    const input = moderationInputOf(message)
    const started = performance.now()
    const history = await deps.senders.historyOf(message.tenant, message.from, input.at)
    const decision = await ruleset.moderate(message.tenant, input, history)
    deps.metrics.decideSeconds.observe((performance.now() - started) / 1000)

    const verdict: ModerationVerdict = {
      version: 1,
      messageId: message.id,
      tenant: message.tenant,
      from: message.from,
      channel: message.channel,
      action: decision.action,
      categories: [...decision.categories],
      rules: [...decision.rules],
      rulesetVersion: decision.rulesetVersion,
      ...(decision.explanations && decision.explanations.length > 0 ? { explanations: [...decision.explanations] } : {}),
      decidedAt: deps.now().toISOString(),
      message,
    }
    if (verdict.action === 'review') await deps.reviews?.add(verdict)
    await deps.publisher.publish(Subjects.moderationVerdict(message.tenant), ModerationVerdictContract.encode(verdict), {
      msgId: message.id,
    })
    await deps.senders.record(message.tenant, message.from, {
      messageId: message.id,
      at: input.at,
      text: normalizeText(input.text).text,
      violation: isViolation(decision.action),
    })
    deps.metrics.verdicts.inc({ tenant: message.tenant, action: decision.action })
    if (decision.action !== 'allow') {
      // Ids, categories and rules only: never the sender's number or the text.
      deps.logger.info(
        { tenant: message.tenant, messageId: message.id, action: decision.action, categories: decision.categories, rules: decision.rules, rulesetVersion: decision.rulesetVersion },
        'message moderated',
      )
    }
    return verdict
  }
}
