import type { Migration } from 'kysely'
import * as m20250601000000 from './20250601000000-received-message.js'

/** Ingest's schema. Names are timestamps; a migration is never edited after it lands. */
export const SCHEMA = 'ingest'

export const migrations: Record<string, Migration> = {
  '20250601000000-received-message': m20250601000000,
}
