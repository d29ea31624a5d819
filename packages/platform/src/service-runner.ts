import type { StreamSpec } from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import type { Kysely, Migration } from 'kysely'
import { createDatabase, migrateToLatest } from './database.js'
import { ensureStreams } from './jetstream-streams.js'
import { createLogger, type Logger } from './logger.js'
import { connectNats } from './nats-connection.js'
import { runMain } from './run-main.js'
import { installShutdown, runShutdownSteps, type ShutdownStep } from './service-lifecycle.js'
import { loadTenantDirectory, type TenantDirectory } from './tenant-directory.js'

/** What every deployable's configuration has (its schema spreads BaseEnvSchema and PORT). */
export interface ServiceConfigBase {
  LOG_LEVEL: string
  HOST: string
  PORT: number
}

interface NatsConfig {
  NATS_URL: string
  NATS_STREAM_REPLICAS: number
}

/**
 * One deployable, described: its configuration, the data it owns, the streams it touches, and
 * how to build it from those. `runService` does the rest the same way for every deployable:
 * start-up order, the listening line, shutdown order, exit codes.
 */
export interface ServiceDefinition<Config extends ServiceConfigBase, Db = unknown> {
  /** Names the process in logs, metrics, pg_stat_activity and the NATS connection. */
  readonly name: string
  /** Pure: reads the environment, throws ConfigError naming a missing or invalid variable. */
  loadConfig(env: NodeJS.ProcessEnv): Config
  /** The PostgreSQL schema the deployable owns, migrated before anything else runs (DATABASE_URL). */
  readonly schema?: { readonly name: string; readonly migrations: Record<string, Migration> }
  /** The JetStream streams it writes or reads, declared idempotently (NATS_URL); `[]` for NATS without streams. */
  readonly streams?: readonly StreamSpec[]
  /** Whether it reads the tenant files (TENANTS_DIR); an invalid one stops the start. */
  readonly tenants?: boolean
  /** Builds the running deployable; nothing listens yet. */
  start(resources: ServiceResourcesOf<Config, Db>): Promise<RunningService>
}

export interface ServiceResourcesOf<Config, Db> {
  readonly config: Config
  /** The environment the configuration was read from (for secrets named by tenant files). */
  readonly env: NodeJS.ProcessEnv
  readonly logger: Logger
  /** The tenant files; throws if the definition did not ask for them. */
  readonly tenants: TenantDirectory
  /** The pool scoped to nothing (`db.withSchema(name)` for the schema); throws without a schema. */
  readonly db: Kysely<Db>
  /** Throws if the definition declared no streams. */
  readonly nc: NatsConnection
}

export interface RunningService {
  /** Health, readiness, metrics and the routes: listened on at PORT/HOST once start resolved. */
  readonly http: FastifyInstance
  /**
   * Shutdown steps between closing HTTP and closing the connections, in order: stop intake
   * (consumers, jobs, Temporal workers), let what is in flight finish, close clients.
   */
  readonly stop?: readonly ShutdownStep[]
  /** Extra fields for the one "listening" log line (no personal data). */
  readonly describe?: Record<string, unknown>
}

/** A resource the definition did not declare, asked for anyway: a bug in that deployable. */
export class UndeclaredResourceError extends Error {
  readonly code = 'UNDECLARED_RESOURCE'
  constructor(service: string, resource: string) {
    super(`${service} uses ${resource} but its service definition does not declare it`)
    this.name = 'UndeclaredResourceError'
  }
}

const declared = <T>(service: string, resource: string, value: T | undefined): T => {
  if (value === undefined) throw new UndeclaredResourceError(service, resource)
  return value
}

/**
 * Starts a deployable and owns its process from then on. Order: configuration (exit 2 naming the
 * variable), logger, tenant files, PostgreSQL and its migrations, NATS and its streams, the
 * deployable's own start, then the port. On SIGTERM/SIGINT: HTTP stops first, then the
 * deployable's own steps, then NATS drains and the pool closes, within 10 s.
 */
export function runService<Config extends ServiceConfigBase, Db = unknown>(definition: ServiceDefinition<Config, Db>): void {
  runMain(definition.name, async () => {
    const { http, logger, config, describe } = await startService(definition, process.env)
    await http.listen({ port: config.PORT, host: config.HOST })
    logger.info({ port: config.PORT, ...describe }, `${definition.name} listening`)
  })
}

export interface StartServiceOptions {
  /** Whether SIGTERM/SIGINT run the shutdown and end the process (default: yes, as `runService`). */
  installSignals?: boolean
  /** The logger the deployable writes to instead of its own from LOG_LEVEL (tests read what it logged). */
  logger?: Logger
}

/** Everything `runService` does but listening and owning signals' exit: for in-process tests too. */
export async function startService<Config extends ServiceConfigBase, Db = unknown>(
  definition: ServiceDefinition<Config, Db>,
  env: NodeJS.ProcessEnv,
  options: StartServiceOptions = {},
): Promise<{ http: FastifyInstance; logger: Logger; config: Config; describe: Record<string, unknown>; shutdown: () => Promise<void> }> {
  const { name } = definition
  const config = definition.loadConfig(env)
  const logger = options.logger ?? createLogger({ service: name, level: config.LOG_LEVEL })
  const settings = config as unknown as Partial<NatsConfig & { DATABASE_URL: string; TENANTS_DIR: string }>

  const tenants = definition.tenants ? await loadTenantDirectory(declared(name, 'TENANTS_DIR', settings.TENANTS_DIR)) : undefined
  let db: Kysely<Db> | undefined
  if (definition.schema) {
    db = createDatabase<Db>({
      url: declared(name, 'DATABASE_URL', settings.DATABASE_URL),
      applicationName: name,
      onIdleConnectionError: (err) =>
        // The message and code only: pg hangs the whole client (its settings) on the error.
        logger.warn({ err: { message: err.message, code: (err as { code?: string }).code } }, 'an idle PostgreSQL connection broke; the pool reconnects'),
    })
    await migrateToLatest(db, definition.schema.name, definition.schema.migrations)
  }
  let nc: NatsConnection | undefined
  if (definition.streams) {
    nc = await connectNats({ servers: declared(name, 'NATS_URL', settings.NATS_URL).split(','), name, logger })
    await ensureStreams(nc, definition.streams, { replicas: settings.NATS_STREAM_REPLICAS ?? 1 })
  }

  const running = await definition.start({
    config,
    env,
    logger,
    get tenants() {
      return declared(name, 'tenant files', tenants)
    },
    get db() {
      return declared(name, 'a PostgreSQL schema', db)
    },
    get nc() {
      return declared(name, 'NATS streams', nc)
    },
  })
  const steps: ShutdownStep[] = [
    { name: 'http', run: () => running.http.close() },
    ...(running.stop ?? []),
    ...(nc ? [{ name: 'nats', run: () => nc.drain() }] : []),
    ...(db ? [{ name: 'postgres', run: () => db.destroy() }] : []),
  ]
  const shutdown =
    options.installSignals === false ? () => runShutdownSteps(logger, steps) : installShutdown({ logger, steps }).shutdown
  return {
    http: running.http,
    logger,
    config,
    describe: { ...(tenants ? { tenants: tenants.all().length } : {}), ...running.describe },
    shutdown,
  }
}
