import { sql, type Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

export interface LedgerCounts {
  byState: Record<string, number>
  failedByReason: Record<string, number>
  skippedByReason: Record<string, number>
}

/**
 * The send ledger counted by state, and failures and skips by reason. One index-only pass over
 * (broadcast_id, state) plus the reasons of the failed and skipped rows.
 */
export async function countLedger(db: Kysely<BroadcastDatabase>, broadcastId: string): Promise<LedgerCounts> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('send_ledger')
    .select(['state', 'reason', sql<number>`count(*)::int`.as('n')])
    .where('broadcast_id', '=', broadcastId)
    .groupBy(['state', 'reason'])
    .execute()
  const counts: LedgerCounts = { byState: {}, failedByReason: {}, skippedByReason: {} }
  for (const row of rows) {
    counts.byState[row.state] = (counts.byState[row.state] ?? 0) + row.n
    const reason = row.reason ?? 'unknown'
    if (row.state === 'failed') counts.failedByReason[reason] = (counts.failedByReason[reason] ?? 0) + row.n
    if (row.state === 'skipped') counts.skippedByReason[reason] = (counts.skippedByReason[reason] ?? 0) + row.n
  }
  return counts
}
