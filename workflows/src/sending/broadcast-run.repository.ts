import type { BroadcastRunState } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'

/**
 * Where a broadcast's run stands, for the staff API (which reads it beside the send ledger).
 * A finished run (completed, cancelled) never goes back: a replayed activity cannot reopen it.
 */
export async function recordRunState(
  db: Kysely<WorkerDatabase>,
  run: { broadcastId: string; tenant: string; state: BroadcastRunState; total?: number },
): Promise<void> {
  const finished = run.state === 'completed' || run.state === 'cancelled'
  await sql`
    insert into worker.broadcast_run (broadcast_id, tenant, state, total, finished_at)
    values (${run.broadcastId}::uuid, ${run.tenant}, ${run.state}, ${run.total ?? null}, ${finished ? sql`now()` : null})
    on conflict (broadcast_id) do update set
      state = excluded.state,
      total = coalesce(excluded.total, worker.broadcast_run.total),
      finished_at = coalesce(worker.broadcast_run.finished_at, excluded.finished_at),
      updated_at = now()
    where worker.broadcast_run.state not in ('completed', 'cancelled')
  `.execute(db)
}

/** The audience size, once the snapshot is taken. */
export async function recordRunTotal(db: Kysely<WorkerDatabase>, broadcastId: string, total: number): Promise<void> {
  await sql`update worker.broadcast_run set total = ${total}, updated_at = now() where broadcast_id = ${broadcastId}::uuid`.execute(db)
}
