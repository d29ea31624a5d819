import type { BroadcastAmbiguity, BroadcastRunEvent } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { BroadcastRunEventKind, WorkerDatabase } from '../worker-database.js'

type Db = Kysely<WorkerDatabase>

/** Appends one event to a run's history. */
export async function recordRunEvent(
  db: Db,
  event: { broadcastId: string; tenant: string; kind: BroadcastRunEventKind; count?: number; detail?: Record<string, unknown> },
): Promise<void> {
  await db
    .withSchema('worker')
    .insertInto('broadcast_run_event')
    .values({ broadcast_id: event.broadcastId, tenant: event.tenant, kind: event.kind, count: event.count ?? 0, detail: JSON.stringify(event.detail ?? {}) })
    .execute()
}

/**
 * Appends the run's `finished` event unless it has one: a retried finish leaves the first
 * (one statement, so the check and the insert see the same table).
 */
export async function recordFinishedOnce(db: Db, event: { broadcastId: string; tenant: string; detail: Record<string, unknown> }): Promise<void> {
  await sql`
    insert into worker.broadcast_run_event (broadcast_id, tenant, kind, count, detail)
    select ${event.broadcastId}::uuid, ${event.tenant}, 'finished', 0, ${JSON.stringify(event.detail)}::jsonb
    where not exists (select 1 from worker.broadcast_run_event where broadcast_id = ${event.broadcastId}::uuid and kind = 'finished')
  `.execute(db)
}

/**
 * Marks as ambiguous every row still `sending` once the sending passes are over (a crash or a
 * timeout left it there: sent or not, nobody knows yet), and returns how many ambiguous rows
 * were not counted in an event before: those marked now and those the provider left ambiguous
 * during the passes (a timeout, a 5xx), whatever became of them since.
 */
export async function noteAmbiguousSends(db: Db, broadcastId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    with noted as (
      update worker.send_ledger set ambiguous_at = coalesce(ambiguous_at, now()), ambiguity_reported = true
      where broadcast_id = ${broadcastId}::uuid and not ambiguity_reported and (state = 'sending' or ambiguous_at is not null)
      returning 1
    )
    select count(*)::int as n from noted
  `.execute(db)
  return rows[0]?.n ?? 0
}

/** What became of a broadcast's ambiguous sends. */
export async function countAmbiguity(db: Db, broadcastId: string): Promise<BroadcastAmbiguity> {
  const { rows } = await sql<BroadcastAmbiguity>`
    select
      count(*)::int as "found",
      count(*) filter (where state in ('accepted', 'sent', 'delivered', 'read') and ambiguous_resends = 0)::int as "confirmed",
      count(*) filter (where ambiguous_resends > 0)::int as "resent",
      count(*) filter (where state = 'failed' and reason = 'ambiguous-unresolved')::int as "unresolved",
      count(*) filter (where state = 'sending')::int as "waiting"
    from worker.send_ledger where broadcast_id = ${broadcastId}::uuid and ambiguous_at is not null
  `.execute(db)
  return rows[0] ?? { found: 0, confirmed: 0, resent: 0, unresolved: 0, waiting: 0 }
}

/** A run's history, oldest first. */
export async function listRunEvents(db: Db, broadcastId: string): Promise<BroadcastRunEvent[]> {
  const rows = await db
    .withSchema('worker')
    .selectFrom('broadcast_run_event')
    .select(['at', 'kind', 'count', 'detail'])
    .where('broadcast_id', '=', broadcastId)
    .orderBy('id')
    .limit(500)
    .execute()
  return rows.map((r) => ({ at: new Date(r.at).toISOString(), kind: r.kind, count: r.count, detail: r.detail }))
}
