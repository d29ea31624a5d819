import { Streams } from '@banditore/contracts'
import { installShutdown, openServiceResources, runMain } from '@banditore/platform'
import { Client, Connection } from '@temporalio/client'
import { buildApp } from './app.js'
import { hashToken } from './auth/staff-auth.js'
import type { BroadcastDatabase } from './broadcast-database.js'
import { createBroadcastWorkflows } from './broadcast-workflow.client.js'
import { loadConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { startEmergencyAcknowledgements } from './emergency/emergency-acknowledgements.js'
import { createEmergencyWorkflows } from './emergency/emergency-workflow.client.js'
import { createOutboundChecker } from './outbound-check.client.js'
import { upsertBootstrapToken } from './store/api-token.repository.js'

// The only file that touches the process: environment, connections, signals.
runMain('broadcast', async () => {
  const config = loadConfig(process.env)
  const { logger, tenants, pool: db, nc } = await openServiceResources<BroadcastDatabase>({
    service: 'broadcast',
    config,
    schema: { name: SCHEMA, migrations },
    // Officials' replies (acknowledgements) come in on INBOUND.
    streams: [Streams.inbound, Streams.deadLetter],
  })
  if (config.BOOTSTRAP_ADMIN_TOKEN) await upsertBootstrapToken(db, hashToken(config.BOOTSTRAP_ADMIN_TOKEN))
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE })

  const emergencies = createEmergencyWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_EMERGENCY })
  const app = await buildApp(config, {
    logger,
    nc,
    db,
    tenants,
    workflows: createBroadcastWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }),
    emergencies,
    checker: createOutboundChecker({ nc, logger, timeoutMs: config.OUTBOUND_CHECK_TIMEOUT_MS }),
    temporalReady: async () => void (await connection.healthService.check({})),
  })
  // Officials acknowledge alerts by replying: their messages come in through ingest.
  const acknowledgements = await startEmergencyAcknowledgements({ nc, db, tenants, workflows: emergencies, logger })
  installShutdown({
    logger,
    steps: [
      { name: 'http', run: () => app.close() },
      { name: 'acknowledgements', run: () => acknowledgements.stop() },
      { name: 'nats', run: () => nc.drain() },
      { name: 'temporal', run: () => connection.close() },
      { name: 'postgres', run: () => db.destroy() },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ port: config.PORT, tenants: tenants.all().length, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }, 'broadcast listening')
})
