import {
  ContractViolationError,
  ModerationSubjects,
  OutboundCheckReplyContract,
  OutboundCheckRequestContract,
  type OutboundCheckReply,
} from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { ModerationMetrics } from '../moderation-metrics.js'
import type { RulesetStore } from '../ruleset/ruleset-store.js'
import { checkBroadcastDraft } from './outbound-check.js'

/**
 * Answers one `moderation.check.outbound` request. Never throws: a request that breaks its
 * contract, or a failure while checking, is answered `ok: false` with a code, so the broadcast
 * service can tell "not checked" from "clean".
 */
export async function answerOutboundCheck(store: RulesetStore, data: Uint8Array, now: Date): Promise<OutboundCheckReply> {
  try {
    const request = OutboundCheckRequestContract.decode(data)
    const result = await checkBroadcastDraft(store.current, request.tenant, request.texts, now.getTime())
    return {
      version: 1,
      ok: true,
      flagged: result.flagged,
      categories: [...result.categories],
      findings: [...result.findings],
      rulesetVersion: result.rulesetVersion,
    }
  } catch (error) {
    if (error instanceof ContractViolationError) {
      return { version: 1, ok: false, error: { code: error.code, message: error.message } }
    }
    return { version: 1, ok: false, error: { code: 'OUTBOUND_CHECK_FAILED', message: (error as Error).message } }
  }
}

/**
 * Serves the outbound check over NATS request/reply, in the `moderation` queue group so that
 * each request is answered by one instance.
 */
export function serveOutboundChecks(deps: {
  nc: NatsConnection
  store: RulesetStore
  logger: Logger
  metrics: ModerationMetrics
  now: () => Date
}): { stop(): Promise<void> } {
  const subscription: Subscription = deps.nc.subscribe(ModerationSubjects.checkOutbound, { queue: 'moderation' })
  const done = (async () => {
    for await (const msg of subscription) {
      const reply = await answerOutboundCheck(deps.store, msg.data, deps.now())
      deps.metrics.outboundChecks.inc({ result: !reply.ok ? 'error' : reply.flagged ? 'flagged' : 'clean' })
      if (!reply.ok) deps.logger.warn({ code: reply.error.code, reason: reply.error.message }, 'outbound check refused')
      msg.respond(OutboundCheckReplyContract.encode(reply))
    }
  })()
  return {
    async stop() {
      await subscription.drain()
      await done
    },
  }
}
