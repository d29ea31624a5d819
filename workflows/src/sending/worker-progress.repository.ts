import type { BroadcastLedgerCounts, BroadcastRunView } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { countAmbiguity, listRunEvents } from './broadcast-run-event.repository.js'

const iso = (value: Date | string) => new Date(value).toISOString()

/** The runs of `broadcastIds` that exist, with their ledgers counted when asked. */
export async function readBroadcastRuns(
  db: Kysely<WorkerDatabase>,
  broadcastIds: readonly string[],
  detail: { ledger: boolean; events: boolean },
): Promise<BroadcastRunView[]> {
  const runs = await db.withSchema('worker').selectFrom('broadcast_run').selectAll().where('broadcast_id', 'in', broadcastIds).execute()
  const views: BroadcastRunView[] = []
  for (const run of runs) {
    views.push({
      broadcastId: run.broadcast_id,
      state: run.state,
      total: run.total,
      startedAt: iso(run.started_at),
      finishedAt: run.finished_at ? iso(run.finished_at) : null,
      ...(detail.ledger ? { ledger: { ...(await countLedger(db, run.broadcast_id)), ambiguity: await countAmbiguity(db, run.broadcast_id) } } : {}),
      ...(detail.ledger || detail.events ? { events: await listRunEvents(db, run.broadcast_id) } : {}),
    })
  }
  return views
}

/**
 * A send ledger counted by state, and failures and skips by reason: one index-only pass over
 * (broadcast_id, state) plus the reasons of the failed and skipped rows.
 */
export async function countLedger(db: Kysely<WorkerDatabase>, broadcastId: string): Promise<BroadcastLedgerCounts> {
  const { rows } = await sql<{ state: string; reason: string | null; n: number }>`
    select state, reason, count(*)::int as n from worker.send_ledger where broadcast_id = ${broadcastId}::uuid group by state, reason`.execute(db)
  const counts: BroadcastLedgerCounts = { byState: {}, failedByReason: {}, skippedByReason: {} }
  for (const row of rows) {
    counts.byState[row.state] = (counts.byState[row.state] ?? 0) + row.n
    const reason = row.reason ?? 'unknown'
    if (row.state === 'failed') counts.failedByReason[reason] = (counts.failedByReason[reason] ?? 0) + row.n
    if (row.state === 'skipped') counts.skippedByReason[reason] = (counts.skippedByReason[reason] ?? 0) + row.n
  }
  return counts
}

export interface ChannelMessages {
  whatsapp: { sent: number; delivered: number; failed: number }
  sms: { sent: number; delivered: number; failed: number }
}

/** Messages of some sends (an alert's citizens and its SMS fallback) per channel. */
export async function countChannelMessages(db: Kysely<WorkerDatabase>, sendIds: readonly string[]): Promise<ChannelMessages> {
  const { rows } = await sql<{ channel: 'whatsapp' | 'sms'; sent: number; delivered: number; failed: number }>`
    select channel,
      count(*) filter (where state in ('accepted', 'sent', 'delivered', 'read'))::int as sent,
      count(*) filter (where state in ('delivered', 'read'))::int as delivered,
      count(*) filter (where state = 'failed')::int as failed
    from worker.send_ledger where broadcast_id = any(${sendIds as string[]}::uuid[])
    group by channel`.execute(db)
  const of = (channel: 'whatsapp' | 'sms') => {
    const r = rows.find((x) => x.channel === channel)
    return r ? { sent: r.sent, delivered: r.delivered, failed: r.failed } : { sent: 0, delivered: 0, failed: 0 }
  }
  return { whatsapp: of('whatsapp'), sms: of('sms') }
}
