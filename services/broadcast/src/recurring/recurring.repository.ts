import type { BroadcastDraftBody, OutboundCheckView, Recurrence, StaffRole } from '@banditore/contracts'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'
import type { RecurringBroadcastTable, RecurringOccurrenceTable } from './recurring.table.js'

export type SeriesRow = Selectable<RecurringBroadcastTable>
export type OccurrenceRow = Selectable<RecurringOccurrenceTable>
type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>

export async function insertSeries(
  db: Db,
  series: { id: string; tenant: string; draft: BroadcastDraftBody; outboundCheck: OutboundCheckView; recurrence: Recurrence; timeZone: string; endsAt: Date; createdBy: string },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('recurring_broadcast')
    .values({
      id: series.id,
      tenant: series.tenant,
      status: 'draft',
      draft: JSON.stringify(series.draft),
      outbound_check: JSON.stringify(series.outboundCheck),
      recurrence: JSON.stringify(series.recurrence),
      time_zone: series.timeZone,
      ends_at: series.endsAt,
      created_by: series.createdBy,
    })
    .execute()
}

export async function findSeries(db: Db, id: string, options: { lock?: boolean } = {}): Promise<SeriesRow | undefined> {
  const q = db.withSchema(SCHEMA).selectFrom('recurring_broadcast').selectAll().where('id', '=', id)
  return await (options.lock ? q.forUpdate() : q).executeTakeFirst()
}

export async function listSeries(db: Db, tenant: string, limit: number): Promise<SeriesRow[]> {
  return await db.withSchema(SCHEMA).selectFrom('recurring_broadcast').selectAll().where('tenant', '=', tenant).orderBy('created_at', 'desc').limit(limit).execute()
}

export async function updateSeries(
  db: Db,
  id: string,
  changes: { status: SeriesRow['status']; approvedBy?: string; approvedAt?: Date; approvalStatement?: { text: string; electoralPeriod: string } | null; cancelledAt?: Date },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .updateTable('recurring_broadcast')
    .set({
      status: changes.status,
      updated_at: new Date(),
      ...(changes.approvedBy !== undefined ? { approved_by: changes.approvedBy } : {}),
      ...(changes.approvedAt !== undefined ? { approved_at: changes.approvedAt } : {}),
      ...(changes.approvalStatement !== undefined ? { approval_statement: changes.approvalStatement ? JSON.stringify(changes.approvalStatement) : null } : {}),
      ...(changes.cancelledAt !== undefined ? { cancelled_at: changes.cancelledAt } : {}),
    })
    .where('id', '=', id)
    .execute()
}

/** The occurrence's row, created empty when missing, locked for the rest of the transaction. */
export async function lockOccurrence(trx: Transaction<BroadcastDatabase>, seriesId: string, at: Date): Promise<OccurrenceRow> {
  await trx.withSchema(SCHEMA).insertInto('recurring_occurrence').values({ series_id: seriesId, scheduled_at: at }).onConflict((oc) => oc.doNothing()).execute()
  return await trx
    .withSchema(SCHEMA)
    .selectFrom('recurring_occurrence')
    .selectAll()
    .where('series_id', '=', seriesId)
    .where('scheduled_at', '=', at)
    .forUpdate()
    .executeTakeFirstOrThrow()
}

export async function updateOccurrence(
  db: Db,
  seriesId: string,
  at: Date,
  changes: {
    skippedBy?: string
    skipReason?: string | null
    draft?: BroadcastDraftBody
    outboundCheck?: OutboundCheckView
    editedBy?: string
    editedHolder?: string
    editApprovedBy?: string | null
    broadcastId?: string
    refusedReason?: string
  },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .updateTable('recurring_occurrence')
    .set({
      updated_at: new Date(),
      ...(changes.skippedBy !== undefined ? { skipped_by: changes.skippedBy } : {}),
      ...(changes.skipReason !== undefined ? { skip_reason: changes.skipReason } : {}),
      ...(changes.draft !== undefined ? { draft: JSON.stringify(changes.draft) } : {}),
      ...(changes.outboundCheck !== undefined ? { outbound_check: JSON.stringify(changes.outboundCheck) } : {}),
      ...(changes.editedBy !== undefined ? { edited_by: changes.editedBy } : {}),
      ...(changes.editedHolder !== undefined ? { edited_holder: changes.editedHolder } : {}),
      ...(changes.editApprovedBy !== undefined ? { edit_approved_by: changes.editApprovedBy } : {}),
      ...(changes.broadcastId !== undefined ? { broadcast_id: changes.broadcastId } : {}),
      ...(changes.refusedReason !== undefined ? { refused_reason: changes.refusedReason } : {}),
    })
    .where('series_id', '=', seriesId)
    .where('scheduled_at', '=', at)
    .execute()
}

export async function listOccurrences(db: Db, seriesId: string): Promise<OccurrenceRow[]> {
  return await db.withSchema(SCHEMA).selectFrom('recurring_occurrence').selectAll().where('series_id', '=', seriesId).orderBy('scheduled_at').execute()
}

/** Who did what to a series, appended in the same transaction as the change. */
export async function appendSeriesAudit(
  db: Db,
  entry: { seriesId: string; tenant: string; action: string; actor: { actor: string; holder: string; role: StaffRole | 'system' }; detail?: Record<string, unknown> },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('recurring_audit')
    .values({
      series_id: entry.seriesId,
      tenant: entry.tenant,
      action: entry.action,
      actor: entry.actor.actor,
      holder: entry.actor.holder,
      role: entry.actor.role,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute()
}

export async function listSeriesAudit(db: Db, seriesId: string) {
  const rows = await db.withSchema(SCHEMA).selectFrom('recurring_audit').selectAll().where('series_id', '=', seriesId).orderBy('id').execute()
  return rows.map((r) => ({ at: r.at.toISOString(), action: r.action, actor: r.actor, holder: r.holder, role: r.role, detail: r.detail }))
}

/** The series' author, as its `created` entry names them: four eyes compare people. */
export async function findSeriesAuthorHolder(db: Db, seriesId: string): Promise<string | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('recurring_audit').select('holder').where('series_id', '=', seriesId).where('action', '=', 'created').executeTakeFirst()
  return row?.holder
}

/**
 * The occurrence's broadcast, dispatched by the schedule under the series' approval: the
 * broadcast table's own row (so progress, history and steering are a broadcast's), and its
 * first audit entry saying where it comes from (`system`: no person acted at that moment).
 */
export async function insertOccurrenceBroadcast(
  trx: Transaction<BroadcastDatabase>,
  b: { id: string; tenant: string; draft: BroadcastDraftBody; outboundCheck: OutboundCheckView; series: SeriesRow; scheduledAt: Date; edited: boolean },
): Promise<void> {
  const now = new Date()
  await trx
    .withSchema(SCHEMA)
    .insertInto('broadcast')
    .values({
      id: b.id,
      tenant: b.tenant,
      status: 'dispatched',
      draft: JSON.stringify(b.draft),
      outbound_check: JSON.stringify(b.outboundCheck),
      created_by: b.series.created_by,
      approved_by: b.series.approved_by,
      approved_at: b.series.approved_at ?? now,
      approval_statement: b.series.approval_statement ? JSON.stringify(b.series.approval_statement) : null,
      dispatched_at: now,
    })
    .execute()
  const detail = JSON.stringify({ seriesId: b.series.id, scheduledAt: b.scheduledAt.toISOString(), edited: b.edited })
  await sql`insert into broadcast.broadcast_audit (broadcast_id, tenant, action, actor, holder, role, detail)
    values (${b.id}, ${b.tenant}, 'recurring-occurrence', ${`schedule:${b.series.id}`}, 'Banditore', 'system', ${detail}::jsonb)`.execute(trx)
}
