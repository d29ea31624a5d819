import { createDatabase, migrateToLatest, MigrationFailedError } from '@banditore/platform'
import { sql, type Kysely, type Migration } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../harness/index.js'

const migrations: Record<string, Migration> = {
  '2026-11-22T00-00-00_subscriber': {
    async up(db) {
      await db.schema.createTable('subscriber').addColumn('id', 'bigserial', (c) => c.primaryKey()).execute()
    },
  },
  '2026-11-22T00-01-00_subscriber_phone': {
    async up(db) {
      // Slow on purpose: a second instance must wait for it rather than run it again.
      await sql`select pg_sleep(0.3)`.execute(db)
      await db.schema.alterTable('subscriber').addColumn('phone', 'text').execute()
    },
  },
}

describe('migrateToLatest on a real PostgreSQL', () => {
  let database: TestDatabase
  const dbs: Kysely<unknown>[] = []
  const open = () => {
    const db = createDatabase<unknown>({ url: database.url, applicationName: 'migrations-test', max: 2 })
    dbs.push(db)
    return db
  }

  beforeAll(async () => {
    database = await createTestDatabase()
  })
  afterAll(async () => {
    await Promise.all(dbs.map((db) => db.destroy()))
    await database?.drop()
  })

  it('applies each migration once when several instances start at the same moment', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => migrateToLatest(open(), 'subscriptions', migrations)))
    const applied = results.flatMap((r) => r.results ?? []).filter((r) => r.status === 'Success')
    expect(applied.map((r) => r.migrationName).sort()).toEqual(Object.keys(migrations).sort())
    const rows = await sql<{ name: string }>`select name from subscriptions.kysely_migration order by name`.execute(open())
    expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort())
    const columns = await sql<{ column_name: string }>`
      select column_name from information_schema.columns
      where table_schema = 'subscriptions' and table_name = 'subscriber' order by column_name`.execute(open())
    expect(columns.rows.map((c) => c.column_name)).toEqual(['id', 'phone'])
  })

  it('is a no-op when already at the latest migration', async () => {
    const result = await migrateToLatest(open(), 'subscriptions', migrations)
    expect(result.results).toEqual([])
  })

  it('names the failing migration and leaves the schema as it was', async () => {
    const broken: Record<string, Migration> = {
      ...migrations,
      '2026-11-22T00-02-00_broken': {
        async up(db) {
          await db.schema.alterTable('no_such_table').addColumn('x', 'text').execute()
        },
      },
    }
    const error = await migrateToLatest(open(), 'subscriptions', broken).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(MigrationFailedError)
    expect((error as MigrationFailedError).migration).toBe('2026-11-22T00-02-00_broken')
    const rows = await sql<{ name: string }>`select name from subscriptions.kysely_migration`.execute(open())
    expect(rows.rows.map((r) => r.name)).not.toContain('2026-11-22T00-02-00_broken')
  })
})
