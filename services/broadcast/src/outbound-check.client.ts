import {
  ModerationSubjects,
  OutboundCheckReplyContract,
  OutboundCheckRequestContract,
  type BroadcastDraftBody,
  type OutboundCheckView,
} from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'

/** Checks a draft's texts against the tenant's outbound policy. Never throws: failure is a state. */
export interface OutboundChecker {
  check(tenant: string, broadcastId: string, draft: BroadcastDraftBody): Promise<OutboundCheckView>
}

/**
 * The texts citizens will read, per language: the SMS text and the template's parameters (the
 * template's fixed text was approved by Meta; what we fill in was not).
 */
export function draftTexts(draft: BroadcastDraftBody): Record<string, string> {
  const texts: Record<string, string[]> = {}
  for (const [language, text] of Object.entries(draft.sms?.texts ?? {})) (texts[language] ??= []).push(text)
  for (const [language, variant] of Object.entries(draft.whatsapp?.variants ?? {})) {
    ;(texts[language] ??= []).push(...variant.bodyParameters)
  }
  return Object.fromEntries(Object.entries(texts).map(([language, parts]) => [language, parts.join('\n')]))
}

/** Asks moderation over NATS request/reply (`moderation.check.outbound`). */
export function createOutboundChecker({ nc, logger, timeoutMs }: { nc: NatsConnection; logger: Logger; timeoutMs: number }): OutboundChecker {
  return {
    async check(tenant, broadcastId, draft) {
      const checkedAt = new Date().toISOString()
      const unavailable = (error: string): OutboundCheckView => ({ state: 'unavailable', categories: [], findings: [], error, checkedAt })
      try {
        const request = OutboundCheckRequestContract.encode({ version: 1, tenant, texts: draftTexts(draft), broadcastId })
        const reply = OutboundCheckReplyContract.decode((await nc.request(ModerationSubjects.checkOutbound, request, { timeout: timeoutMs })).data)
        if (!reply.ok) return unavailable(`${reply.error.code}: ${reply.error.message}`)
        return {
          state: reply.flagged ? 'flagged' : 'clean',
          categories: reply.categories,
          findings: reply.findings,
          rulesetVersion: reply.rulesetVersion,
          checkedAt,
        }
      } catch (error) {
        logger.warn({ tenant, broadcastId, err: error }, 'outbound policy check unavailable')
        return unavailable(error instanceof Error ? error.message : String(error))
      }
    },
  }
}
