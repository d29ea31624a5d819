import { createDatabase } from '@banditore/platform'
import { sql, type Kysely } from 'kysely'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../harness/index.js'

/**
 * A database restart or a managed failover ends every server connection with 57P01
 * ("terminating connection due to administrator command"). pg_terminate_backend sends exactly
 * that to the pool's idle connections, without stopping the server other tests share.
 */
describe('a pool whose connections the server terminates', () => {
  let database: TestDatabase
  let db: Kysely<unknown>
  const idleErrors: Error[] = []

  beforeAll(async () => {
    database = await createTestDatabase()
    db = createDatabase<unknown>({
      url: database.url,
      applicationName: 'restart-test',
      max: 3,
      onIdleConnectionError: (error) => idleErrors.push(error),
    })
  })
  afterAll(async () => {
    await db?.destroy()
    await database?.drop()
  })

  it('reports the broken idle connections, keeps the process alive and reconnects', async () => {
    // Three idle connections in the pool.
    await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(db)))

    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    try {
      const killed = await admin.query<{ n: number }>(
        `select count(*) filter (where pg_terminate_backend(pid))::int as n
           from pg_stat_activity where datname = $1 and application_name = 'restart-test'`,
        [database.name],
      )
      expect(killed.rows[0]?.n).toBeGreaterThan(0)
    } finally {
      await admin.end()
    }

    await expect.poll(() => idleErrors.length, { timeout: 30_000 }).toBeGreaterThan(0)
    expect(idleErrors.map((e) => (e as Error & { code?: string }).code)).toContain('57P01')
    const { rows } = await sql<{ answer: number }>`select 42 as answer`.execute(db)
    expect(rows[0]?.answer).toBe(42)
  })

  it('survives a connection broken while a transaction holds it between two statements', async () => {
    const admin = new pg.Client({ connectionString: database.url })
    await admin.connect()
    try {
      const outcome = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)
        const pid = rows[0]!.pid
        await admin.query('select pg_terminate_backend($1)', [pid])
        // The server has ended it; one more round trip lets this process read the end, with no
        // statement of ours in flight (where an unheard `error` would end the process).
        await expect
          .poll(async () => (await admin.query('select count(*)::int as n from pg_stat_activity where pid = $1', [pid])).rows[0].n, { timeout: 30_000 })
          .toBe(0)
        await admin.query('select 1')
        await sql`select 1`.execute(trx)
      })
      await expect(outcome).rejects.toThrow()
    } finally {
      await admin.end()
    }
    const { rows } = await sql<{ answer: number }>`select 42 as answer`.execute(db)
    expect(rows[0]?.answer).toBe(42)
  })
})
