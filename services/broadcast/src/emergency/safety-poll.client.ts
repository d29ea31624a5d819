import { Requests, type SafetyPollTally } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'

/** Reads a safety poll's count from subscriptions, which reads the citizens' answers. */
export interface SafetyPollCounter {
  /** The count, or null when subscriptions does not answer (the view is given without it). */
  tally(tenant: string, pollId: string): Promise<SafetyPollTally | null>
}

export function createSafetyPollCounter({ nc, timeoutMs, logger }: { nc: NatsConnection; timeoutMs: number; logger: Logger }): SafetyPollCounter {
  const kind = Requests.safetyPollTally
  return {
    async tally(tenant, pollId) {
      try {
        const reply = kind.reply.decode((await nc.request(kind.subject, kind.request.encode({ version: 1, tenant, pollId }), { timeout: timeoutMs })).data)
        if (reply.error) throw new Error(`${reply.error.code}: ${reply.error.message}`)
        return reply
      } catch (error) {
        logger.warn({ tenant, pollId, err: error }, 'safety poll count unavailable; view without it')
        return null
      }
    },
  }
}
