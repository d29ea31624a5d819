import type { Migration } from 'kysely'
import * as receivedMessage from './2025-06-01T00-00-00_received-message.js'

/**
 * Ingest's schema. A migration is never edited after it lands. The file follows the house style
 * (YYYY-MM-DDTHH-MM-SS_name); the key keeps the name this migration was first applied under, the
 * one databases have recorded.
 */
export const SCHEMA = 'ingest'

export const migrations: Record<string, Migration> = {
  '20250601000000-received-message': receivedMessage,
}
