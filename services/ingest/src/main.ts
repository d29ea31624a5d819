import { Streams } from '@banditore/contracts'
import {
  connectNats,
  createDatabase,
  createLogger,
  ensureStreams,
  installShutdown,
  loadTenantDirectory,
  migrateToLatest,
  runMain,
} from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import type { IngestDatabase } from './ingest-database.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { startReceivedMessageRetention } from './received-message-retention.js'
import { secretsFrom } from './webhook-credentials.js'

// The only file that touches the process: environment, connections, signals.
runMain('ingest', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'ingest', level: config.LOG_LEVEL })
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const db = createDatabase<IngestDatabase>({ url: config.DATABASE_URL, applicationName: 'ingest' })
  await migrateToLatest(db, SCHEMA, migrations)
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: 'ingest', logger })
  await ensureStreams(nc, [Streams.inbound, Streams.deadLetter], { replicas: config.NATS_STREAM_REPLICAS })

  const app = await buildApp(config, { logger, nc, db, tenants, secrets: secretsFrom(process.env) })
  const retention = startReceivedMessageRetention({
    db,
    logger,
    retentionDays: config.RECEIVED_RETENTION_DAYS,
    intervalMs: config.RETENTION_INTERVAL_SECONDS * 1000,
  })
  installShutdown({
    logger,
    steps: [
      // Stop taking webhooks first: in-flight requests finish (their publishes are acknowledged
      // or they answer 503) before NATS is drained.
      { name: 'http', run: () => app.close() },
      { name: 'retention', run: () => retention.stop() },
      { name: 'nats', run: () => nc.drain() },
      { name: 'postgres', run: () => db.destroy() },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ port: config.PORT, tenants: tenants.all().length }, 'ingest listening')
})
