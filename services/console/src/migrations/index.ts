import type { Migration } from 'kysely'
import { sessions } from './2026-12-07T00-00-00_sessions.js'

/** The console's schema: staff sessions. Names are timestamps; a migration is never edited after it lands. */
export const SCHEMA = 'console'

export const migrations: Record<string, Migration> = {
  '2026-12-07T00-00-00_sessions': sessions,
}
