import { Streams } from '@banditore/contracts'
import { installShutdown, openServiceResources, runMain } from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import type { IngestDatabase } from './ingest-database.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { startReceivedMessageRetention } from './received-message-retention.js'
import { secretsFrom } from './webhook-credentials.js'

// The only file that touches the process: environment, connections, signals.
runMain('ingest', async () => {
  const config = loadConfig(process.env)
  const { logger, tenants, pool: db, nc } = await openServiceResources<IngestDatabase>({
    service: 'ingest',
    config,
    schema: { name: SCHEMA, migrations },
    streams: [Streams.inbound, Streams.deadLetter],
  })

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
