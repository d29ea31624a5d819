import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { runProvided } from './run-context.js'

export interface TestDatabase {
  url: string
  name: string
  drop(): Promise<void>
}

/** A fresh, empty database on the real PostgreSQL server (the run's, or the one given), for one test file. */
export async function createTestDatabase(server?: string): Promise<TestDatabase> {
  const serverUrl = server ?? (await runProvided('postgresUrl'))
  const name = `banditore_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  try {
    await admin.query(`create database ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl })
      await c.connect()
      try {
        // pg's pool.end() resolves before its connections have said goodbye; forcing the drop
        // while they still do would kill them mid-goodbye, an error nobody listens for. Give
        // them a moment to leave on their own first.
        for (let waited = 0; waited < 3000; waited += 50) {
          const open = await c.query('select count(*)::int as n from pg_stat_activity where datname = $1', [name])
          if (open.rows[0].n === 0) break
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        await c.query(`drop database if exists ${name} with (force)`)
      } finally {
        await c.end()
      }
    },
  }
}
