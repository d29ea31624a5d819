import { Streams, Subjects, SubscriptionChangedContract } from '@banditore/contracts'
import { consumeDurable, PermanentMessageError, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { recordSubscriptionChange } from '../sending/broadcast-opt-out.repository.js'

/**
 * Subscription changes (`subscription.changed.*`) kept in worker.opt_out, which every batch
 * checks before sending: an unsubscribe reaches a running broadcast from its next batch, without
 * asking subscriptions. A cache: subscriptions owns opt-outs (its audience pages leave them out);
 * this only covers the time between a snapshot and its last batch.
 */
export async function startBroadcastOptOutFeed(options: {
  nc: NatsConnection
  db: Kysely<WorkerDatabase>
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
