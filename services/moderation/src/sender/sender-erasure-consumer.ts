import { Consumers } from '@banditore/contracts'
import { consume, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { ReviewQueue } from '../review/review-queue.js'
import type { SenderHistoryStore } from './sender-history-store.js'

/**
 * Erasures (`subscription.erased.*`, published by subscriptions): the sender's history (recent
 * normalized texts, violation times) is forgotten at once instead of expiring with the bucket's
 * TTL, and their messages leave the review queue. Logged by the keyed hash only.
 */
export async function startSenderErasureConsumer(options: { nc: NatsConnection; senders: SenderHistoryStore; reviews: ReviewQueue; logger: Logger }): Promise<RunningConsumer> {
  const { senders, reviews, logger } = options
  return await consume(
    options.nc,
    Consumers.moderationErasures,
    async (erased) => {
      await senders.forget(erased.tenant, erased.phone)
      const reviewItems = await reviews.forget(erased.tenant, erased.phone)
      logger.info({ tenant: erased.tenant, phoneHash: erased.phoneHash, reviewItems }, 'sender history and review items forgotten')
    },
    logger,
  )
}
