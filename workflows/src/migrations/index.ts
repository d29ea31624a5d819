import type { Migration } from 'kysely'
import { workerTables } from './2026-12-07T00-00-00_worker-tables.js'
import { replyLedger } from './2026-12-10T00-00-00_reply-ledger.js'
import { runEvents } from './2026-12-15T00-00-00_run-events.js'
import { runEventHalted } from './2026-12-16T03-00-00_run-event-halted.js'

export { WORKER_SCHEMA } from '../worker-database.js'

/**
 * The worker's schema (`worker`): applied by the worker at start with platform's migrateToLatest,
 * safely when several workers start at once. Names are timestamps; a migration is never edited
 * after it lands.
 */
export const migrations: Record<string, Migration> = {
  '2026-12-07T00-00-00_worker-tables': workerTables,
  '2026-12-10T00-00-00_reply-ledger': replyLedger,
  '2026-12-15T00-00-00_run-events': runEvents,
  '2026-12-16T03-00-00_run-event-halted': runEventHalted,
}
