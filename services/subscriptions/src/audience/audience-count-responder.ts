import { Requests, type AudienceCountReply, type AudienceCountRequest } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { countAudience, countAudienceByTopic } from '../repositories/audience-count.repository.js'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { AudienceRequestError, audienceFiltersOf, respondServiceError } from './audience-responder.js'

export interface AudienceCountDeps {
  db: Kysely<SubscriptionsDatabase>
  profiles: ReadonlyMap<string, TenantProfile>
  clock: () => Date
}

/**
 * Counts who an audience page with the same filters would hold, with SQL aggregates: unlike a
 * page, no snapshot is taken and no phone number is read, so the staff console may ask as often
 * as its editor changes.
 */
export async function audienceCount(deps: AudienceCountDeps, request: AudienceCountRequest): Promise<AudienceCountReply> {
  const { profile, filters } = audienceFiltersOf(deps.profiles, request)
  const now = deps.clock()
  const [groups, chosen] = await Promise.all([
    countAudience(deps.db, request.tenant, filters, now),
    request.byTopic ? countAudienceByTopic(deps.db, request.tenant, filters, profile.chosenTopics(request.topics), now) : undefined,
  ])
  const reply: AudienceCountReply = { version: 1, total: 0, byChannel: { whatsapp: 0, sms: 0 }, byLanguage: {}, byChannelAndLanguage: {} }
  for (const { channel, language, n } of groups) {
    reply.total += n
    reply.byChannel[channel] += n
    reply.byLanguage[language] = (reply.byLanguage[language] ?? 0) + n
    reply.byChannelAndLanguage[`${channel}:${language}`] = n
  }
  if (chosen) {
    // An always-on topic reaches everyone the filters reach, which is then the total.
    reply.byTopic = Object.fromEntries([...new Set(request.topics)].map((topic) => [topic, profile.isAlwaysOn(topic) ? reply.total : (chosen.get(topic) ?? 0)]))
  }
  return reply
}

/**
 * Serves `subscriptions.audience.count` (request/reply) in a queue group. Errors are answered
 * with the service-error headers, as the page responder does.
 */
export function serveAudienceCount(nc: NatsConnection, deps: AudienceCountDeps, logger: Logger): Subscription {
  const kind = Requests.audienceCount
  return nc.subscribe(kind.subject, {
    queue: 'subscriptions',
    callback: (error, msg) => {
      if (error) {
        logger.error({ err: error }, 'audience count subscription failed')
        return
      }
      void (async () => {
        let request: AudienceCountRequest
        try {
          request = kind.request.decode(msg.data)
        } catch (cause) {
          respondServiceError(msg, 'BAD_REQUEST', (cause as Error).message)
          return
        }
        try {
          msg.respond(kind.reply.encode(await audienceCount(deps, request)))
        } catch (failure) {
          if (failure instanceof AudienceRequestError) {
            respondServiceError(msg, failure.code, failure.message)
            return
          }
          logger.error({ err: failure, tenant: request.tenant }, 'audience count failed')
          respondServiceError(msg, 'INTERNAL', 'the audience could not be counted; retry')
        }
      })()
    },
  })
}
