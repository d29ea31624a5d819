import { createDatabase, createLogger, runMain } from '@banditore/platform'
import { migrateToLatest } from '@banditore/platform'
import type { BroadcastDatabase } from './broadcast-database.js'
import { loadConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'

// `pnpm migrate`: brings the broadcast schema to its latest migration and exits.
runMain('broadcast-migrate', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'broadcast', level: config.LOG_LEVEL })
  const db = createDatabase<BroadcastDatabase>({ url: config.DATABASE_URL, applicationName: 'broadcast-migrate', max: 1 })
  try {
    const result = await migrateToLatest(db, SCHEMA, migrations)
    logger.info({ applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) }, 'broadcast schema migrated')
  } finally {
    await db.destroy()
  }
})
