import { Consumers } from '@banditore/contracts'
import { consume, type Logger, type RunningConsumer } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { eraseNumber } from '../sending/send-ledger-privacy.repository.js'
import type { WorkerDatabase } from '../worker-database.js'

/**
 * Erasures (`subscription.erased.*`, published by subscriptions) carried into the worker's
 * tables: the number leaves the send ledger, the opt-out cache and the pacing table. Logged by
 * the keyed hash only.
 */
export async function startSubjectErasureFeed(options: { nc: NatsConnection; db: Kysely<WorkerDatabase>; logger: Logger }): Promise<RunningConsumer> {
  const { db, logger } = options
  return await consume(
    options.nc,
    Consumers.workerErasures,
    async (erased) => {
      const report = await eraseNumber(db, erased)
      logger.info({ tenant: erased.tenant, phoneHash: erased.phoneHash, ...report }, 'erasure applied to the send ledger')
    },
    logger,
  )
}
