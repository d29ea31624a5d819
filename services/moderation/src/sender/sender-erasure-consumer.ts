import { Consumers } from '@banditore/contracts'
import { consume, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { SenderHistoryStore } from './sender-history-store.js'

/**
 * Erasures (`subscription.erased.*`, published by subscriptions): the sender's history (recent
 * normalized texts, violation times) is forgotten at once instead of expiring with the bucket's
 * TTL. Logged by the keyed hash only.
 */
export async function startSenderErasureConsumer(options: { nc: NatsConnection; senders: SenderHistoryStore; logger: Logger }): Promise<RunningConsumer> {
  const { senders, logger } = options
  return await consume(
    options.nc,
    Consumers.moderationErasures,
    async (erased) => {
      await senders.forget(erased.tenant, erased.phone)
      logger.info({ tenant: erased.tenant, phoneHash: erased.phoneHash }, 'sender history forgotten')
    },
    logger,
  )
}
