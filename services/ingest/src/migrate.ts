import { createDatabase, createLogger, migrateToLatest, runMain } from '@banditore/platform'
import { loadConfig } from './config.js'
import type { IngestDatabase } from './ingest-database.js'
import { migrations, SCHEMA } from './migrations/index.js'

// `pnpm migrate`: brings the ingest schema to its latest migration and exits (main.ts also does
// this at start; this is for deployments that migrate in a separate step).
runMain('ingest-migrate', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'ingest', level: config.LOG_LEVEL })
  const db = createDatabase<IngestDatabase>({ url: config.DATABASE_URL, applicationName: 'ingest-migrate' })
  try {
    const result = await migrateToLatest(db, SCHEMA, migrations)
    logger.info({ applied: result.results?.map((r) => r.migrationName) ?? [] }, 'ingest schema migrated')
  } finally {
    await db.destroy()
  }
})
