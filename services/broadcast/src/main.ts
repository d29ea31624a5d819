import {
  connectNats,
  createDatabase,
  createLogger,
  installShutdown,
  loadTenantDirectory,
  migrateToLatest,
  runMain,
} from '@banditore/platform'
import { Client, Connection } from '@temporalio/client'
import { buildApp } from './app.js'
import { hashToken } from './auth/staff-auth.js'
import type { BroadcastDatabase } from './broadcast-database.js'
import { createBroadcastWorkflows } from './broadcast-workflow.client.js'
import { loadConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { createOutboundChecker } from './outbound-check.client.js'
import { upsertBootstrapToken } from './store/api-token.repository.js'

// The only file that touches the process: environment, connections, signals.
runMain('broadcast', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'broadcast', level: config.LOG_LEVEL })
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const db = createDatabase<BroadcastDatabase>({ url: config.DATABASE_URL, applicationName: 'broadcast' })
  await migrateToLatest(db, SCHEMA, migrations)
  if (config.BOOTSTRAP_ADMIN_TOKEN) await upsertBootstrapToken(db, hashToken(config.BOOTSTRAP_ADMIN_TOKEN))
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: 'broadcast', logger })
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE })

  const app = await buildApp(config, {
    logger,
    nc,
    db,
    tenants,
    workflows: createBroadcastWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }),
    checker: createOutboundChecker({ nc, logger, timeoutMs: config.OUTBOUND_CHECK_TIMEOUT_MS }),
    temporalReady: async () => void (await connection.healthService.check({})),
  })
  installShutdown({
    logger,
    steps: [
      { name: 'http', run: () => app.close() },
      { name: 'nats', run: () => nc.drain() },
      { name: 'temporal', run: () => connection.close() },
      { name: 'postgres', run: () => db.destroy() },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ port: config.PORT, tenants: tenants.all().length, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }, 'broadcast listening')
})
