import { Requests, type SafetyPollStateReply, type SafetyPollTally } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { safetyPollTally, setSafetyPollState } from './safety-poll.js'

export interface SafetyPollResponderDeps {
  db: Kysely<SubscriptionsDatabase>
  profiles: ReadonlyMap<string, TenantProfile>
  clock: () => Date
}

const failure = (code: string, message: string) => ({ code, message })

/**
 * Serves the worker's and the staff API's safety-poll requests (queue group `subscriptions`):
 * open or close a poll (`Requests.safetyPollState`), and its count (`Requests.safetyPollTally`).
 * A request outside the contract or for an unknown tenant is answered with an error, never
 * dropped, so the asker does not wait for a timeout.
 */
export function serveSafetyPolls(nc: NatsConnection, deps: SafetyPollResponderDeps, logger: Logger): Subscription[] {
  const state = Requests.safetyPollState
  const tally = Requests.safetyPollTally
  const stateSub = nc.subscribe(state.subject, {
    queue: 'subscriptions',
    callback: (error, msg) => {
      if (error) return logger.error({ err: error }, 'safety poll state subscription failed')
      void (async () => {
        let reply: SafetyPollStateReply
        try {
          const request = state.request.decode(msg.data)
          if (!deps.profiles.has(request.tenant)) {
            reply = { version: 1, ok: false, error: failure('UNKNOWN_TENANT', `unknown tenant ${request.tenant}`) }
          } else {
            await setSafetyPollState(deps.db, {
              tenant: request.tenant,
              pollId: request.pollId,
              state: request.state,
              at: new Date(request.at),
              ...(request.closesAt ? { closesAt: new Date(request.closesAt) } : {}),
            })
            logger.info({ tenant: request.tenant, pollId: request.pollId, state: request.state }, 'safety poll state set')
            reply = { version: 1, ok: true }
          }
        } catch (cause) {
          const code = (cause as { code?: string }).code === 'CONTRACT_VIOLATION' ? 'BAD_REQUEST' : 'INTERNAL'
          if (code === 'INTERNAL') logger.error({ err: cause }, 'safety poll state failed')
          reply = { version: 1, ok: false, error: failure(code, (cause as Error).message) }
        }
        msg.respond(state.reply.encode(reply))
      })()
    },
  })
  const tallySub = nc.subscribe(tally.subject, {
    queue: 'subscriptions',
    callback: (error, msg) => {
      if (error) return logger.error({ err: error }, 'safety poll tally subscription failed')
      void (async () => {
        let reply: SafetyPollTally
        const empty = (pollId: string, code: string, message: string): SafetyPollTally => ({
          version: 1,
          pollId,
          state: 'unknown',
          ok: 0,
          help: 0,
          helpWaiting: 0,
          openedAt: null,
          closesAt: null,
          lastAnswerAt: null,
          error: failure(code, message),
        })
        try {
          const request = tally.request.decode(msg.data)
          reply = deps.profiles.has(request.tenant)
            ? await safetyPollTally(deps.db, request.tenant, request.pollId, deps.clock())
            : empty(request.pollId, 'UNKNOWN_TENANT', `unknown tenant ${request.tenant}`)
        } catch (cause) {
          const code = (cause as { code?: string }).code === 'CONTRACT_VIOLATION' ? 'BAD_REQUEST' : 'INTERNAL'
          if (code === 'INTERNAL') logger.error({ err: cause }, 'safety poll tally failed')
          reply = empty('', code, (cause as Error).message)
        }
        msg.respond(tally.reply.encode(reply))
      })()
    },
  })
  return [stateSub, tallySub]
}
