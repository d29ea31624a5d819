// @banditore/ingest: every inbound door (WhatsApp and SMS webhooks, web and paper sign-up forms)
// normalized onto JetStream. main.ts runs it; tests and benchmarks build it from here.
export { buildApp, buildIngestServer, type IngestDeps, type IngestEdges } from './app.js'
export { IngestConfigSchema, loadConfig, type IngestConfig } from './config.js'
export type { IngestDatabase } from './ingest-database.js'
export { migrations, SCHEMA } from './migrations/index.js'
export { findReceived, PostgresReceivedMessageLedger, purgeReceivedOlderThan, type ReceivedMessageLedger } from './repositories/received-message.repository.js'
export { runReceivedMessageRetention } from './received-message-retention.js'
export { secretsFrom, type SecretResolver } from './webhook-credentials.js'
/** The deployable, as its main.ts runs it (the test world starts it the same way). */
export { ingestService } from './ingest-service.js'
