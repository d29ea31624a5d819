import { Streams } from '@banditore/contracts'
import type { ServiceDefinition } from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig, type IngestConfig } from './config.js'
import type { IngestDatabase } from './ingest-database.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { startReceivedMessageRetention } from './received-message-retention.js'
import { secretsFrom } from './webhook-credentials.js'

/** Ingest as a deployable: every inbound door, durably onto INBOUND. */
export const ingestService: ServiceDefinition<IngestConfig, IngestDatabase> = {
  name: 'ingest',
  loadConfig,
  schema: { name: SCHEMA, migrations },
  streams: [Streams.inbound, Streams.deadLetter],
  tenants: true,
  async start({ config, env, logger, tenants, db, nc }) {
    const http = await buildApp(config, { logger, nc, db, tenants, secrets: secretsFrom(env) })
    const retention = startReceivedMessageRetention({
      db,
      logger,
      retentionDays: config.RECEIVED_RETENTION_DAYS,
      intervalMs: config.RETENTION_INTERVAL_SECONDS * 1000,
    })
    // HTTP closes first: in-flight webhooks finish (their publishes are acknowledged or they
    // answer 503) before NATS is drained.
    return { http, stop: [{ name: 'retention', run: () => retention.stop() }] }
  },
}
