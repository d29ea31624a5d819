import { Streams, Subjects, SubscriptionChangedContract } from '@banditore/contracts'
import { consumeDurable, PermanentMessageError, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { BroadcastWorkerDatabase } from './broadcast-database.js'
import { recordSubscriptionChange } from './broadcast-opt-out.repository.js'

/**
 * Subscription changes (`subscription.changed.*`) kept as the broadcasts' own opt-out table,
 * which every batch checks before sending: an unsubscribe reaches a running broadcast from its
 * next batch, without asking subscriptions.
 */
export async function startBroadcastOptOutFeed(options: {
  nc: NatsConnection
  db: Kysely<BroadcastWorkerDatabase>
  logger: Logger
  durable?: string
}): Promise<RunningConsumer> {
  const { db, logger } = options
  return await consumeDurable(
    options.nc,
    {
      stream: Streams.subscriptions.name,
      durable: options.durable ?? 'broadcast-opt-outs',
      filterSubject: Subjects.subscriptionChanged('*'),
      maxDeliver: 10,
      concurrency: 8,
    },
    async (msg) => {
      let change
      try {
        change = SubscriptionChangedContract.decode(msg.data)
      } catch (cause) {
        throw new PermanentMessageError('subscription change violates its contract', { code: 'CONTRACT_VIOLATION', cause })
      }
      await recordSubscriptionChange(db, change)
      logger.debug({ tenant: change.tenant, subscriberId: change.subscriberId, change: change.change }, 'opt-out state recorded')
    },
    logger,
  )
}
