import type { Kysely, Migration } from 'kysely'
import { createDatabase, migrateToLatest } from './database.js'
import { ensureStreams } from './jetstream-streams.js'
import { createLogger, type Logger } from './logger.js'
import { connectNats } from './nats-connection.js'
import { loadTenantDirectory, type TenantDirectory } from './tenant-directory.js'
import type { NatsConnection } from '@nats-io/transport-node'

type StreamSpecs = Parameters<typeof ensureStreams>[1]

export interface ServiceResourcesOptions {
  service: string
  config: { LOG_LEVEL: string; NATS_URL: string; DATABASE_URL: string; NATS_STREAM_REPLICAS: number; TENANTS_DIR: string }
  /** The service's own PostgreSQL schema, migrated before anything else runs. */
  schema: { name: string; migrations: Record<string, Migration> }
  /** The streams it writes or reads, declared idempotently. */
  streams: StreamSpecs
}

export interface ServiceResources<Db> {
  logger: Logger
  tenants: TenantDirectory
  /** The pool (destroy it at shutdown); `pool.withSchema(name)` for the service's tables. */
  pool: Kysely<Db>
  nc: NatsConnection
}

/**
 * The start-up every service with a schema shares, in order: logger, tenant files (invalid ones
 * stop the start), PostgreSQL with its migrations, NATS with its streams.
 */
export async function openServiceResources<Db>(options: ServiceResourcesOptions): Promise<ServiceResources<Db>> {
  const { service, config } = options
  const logger = createLogger({ service, level: config.LOG_LEVEL })
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const pool = createDatabase<Db>({
    url: config.DATABASE_URL,
    applicationName: service,
    onIdleConnectionError: (err) => logger.warn({ err }, 'an idle PostgreSQL connection broke; the pool reconnects'),
  })
  await migrateToLatest(pool, options.schema.name, options.schema.migrations)
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: service, logger })
  await ensureStreams(nc, options.streams, { replicas: config.NATS_STREAM_REPLICAS })
  return { logger, tenants, pool, nc }
}
