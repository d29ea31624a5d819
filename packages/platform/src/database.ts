import { Kysely, Migrator, PostgresDialect, sql, type Migration, type MigrationResultSet } from 'kysely'
import pg from 'pg'

// int8 (bigint) columns come back as JS numbers where they fit: counts and sequence numbers here
// stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : value
})

export interface DatabaseConfig {
  url: string
  /** Pool size. */
  max?: number
  /** Shown in pg_stat_activity. */
  applicationName: string
  /**
   * Told when an idle pooled connection breaks (the server restarted or failed over: 57P01,
   * a reset socket). The pool drops that connection and opens a new one on the next query.
   */
  onIdleConnectionError?: (error: Error) => void
}

/**
 * A Kysely instance over a pg pool. Each service then works inside its own schema.
 *
 * pg emits `error` on the pool when an idle connection breaks, and on the client when one in
 * use breaks; an `EventEmitter` without an `error` listener throws, so without these two a
 * database restart would end the process. Queries
 * in flight at that moment still fail and are retried by their callers (consumers nak, Temporal
 * retries activities, HTTP answers 503 through readiness).
 */
export function createDatabase<DB>({ url, max = 10, applicationName, onIdleConnectionError }: DatabaseConfig): Kysely<DB> {
  const pool = new pg.Pool({ connectionString: url, max, application_name: applicationName })
  pool.on('error', (error) => onIdleConnectionError?.(error))
  // The pool listens only to idle clients. A client checked out between two statements (a
  // transaction awaiting a publish) whose server goes away emits `error` with no query to fail:
  // without this listener that ends the process. The next statement on it fails instead, and
  // the pool discards it on release.
  pool.on('connect', (client) => {
    client.on('error', () => undefined)
  })
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool }) })
}

/** Readiness probe. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema
export async function pingDatabase(db: Kysely<any>): Promise<void> {
  await sql`select 1`.execute(db)
}

export class MigrationFailedError extends Error {
  readonly code = 'MIGRATION_FAILED'
  constructor(
    readonly schema: string,
    readonly migration: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(`migration ${migration ?? '(unknown)'} of schema ${schema} failed`, options)
    this.name = 'MigrationFailedError'
  }
}

/**
 * Brings a service's schema to its latest migration. Safe when several instances start at
 * once: schema creation is serialized by an advisory lock, and Kysely's migrator takes its own
 * lock around the migrations. Migration names are timestamped and never edited after landing.
 */
export async function migrateToLatest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any schema
  db: Kysely<any>,
  schema: string,
  migrations: Record<string, Migration>,
): Promise<MigrationResultSet> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`banditore.schema.${schema}`}))`.execute(trx)
    await sql`create schema if not exists ${sql.id(schema)}`.execute(trx)
  })
  const migrator = new Migrator({
    db: db.withSchema(schema),
    provider: { getMigrations: async () => migrations },
    migrationTableSchema: schema,
  })
  const result = await migrator.migrateToLatest()
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')
    throw new MigrationFailedError(schema, failed?.migrationName, { cause: result.error })
  }
  return result
}
