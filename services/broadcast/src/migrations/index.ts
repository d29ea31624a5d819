import type { Migration } from 'kysely'
import { initialSchema } from './2026-11-23T00-00-00_initial.js'
import { emergencies } from './2026-11-23T02-00-00_emergencies.js'

/**
 * The broadcast schema: the staff API's tables (tokens, broadcasts, audit) and the tables the
 * worker's broadcast activities write (runs, send ledger, opt-outs, sender rate limits, pair
 * pacing, status feed). One owner migrates it; names are timestamps; a migration is never edited
 * after it lands.
 */
export const SCHEMA = 'broadcast'

export const migrations: Record<string, Migration> = {
  '2026-11-23T00-00-00_initial': initialSchema,
  '2026-11-23T02-00-00_emergencies': emergencies,
}
