import type { BulletinOrigin, EmergencyCapOrigin, EmergencyKind, EmergencySource, EmergencyMessage, SafetyPollSettings, TimelineEntry, TimelineKind } from '@banditore/contracts'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { BroadcastDatabase, EmergencyTable } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>
export type EmergencyRow = Selectable<EmergencyTable>

export async function insertEmergency(
  db: Db,
  row: {
    id: string
    tenant: string
    kind: EmergencyKind
    references: string | null
    message: EmergencyMessage
    source: EmergencySource
    cap: EmergencyCapOrigin | null
    bulletin?: BulletinOrigin
    poll?: SafetyPollSettings
    createdBy: string
  },
): Promise<EmergencyRow> {
  return await db
    .withSchema(SCHEMA)
    .insertInto('emergency')
    .values({
      id: row.id,
      tenant: row.tenant,
      kind: row.kind,
      references_id: row.references,
      status: 'draft',
      message: JSON.stringify(row.message),
      source: row.source,
      cap: JSON.stringify(row.cap),
      bulletin: JSON.stringify(row.bulletin ?? null),
      poll: row.poll ? JSON.stringify(row.poll) : null,
      created_by: row.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

export async function findEmergency(db: Db, id: string): Promise<EmergencyRow | undefined> {
  return await db.withSchema(SCHEMA).selectFrom('emergency').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The alert of `tenant` made from the CAP message `identifier` of `sender`, if any. */
export async function findByCapIdentity(db: Db, tenant: string, sender: string, identifier: string): Promise<EmergencyRow | undefined> {
  return await db
    .withSchema(SCHEMA)
    .selectFrom('emergency')
    .selectAll()
    .where('tenant', '=', tenant)
    .where(sql<boolean>`cap->>'sender' = ${sender} and cap->>'identifier' = ${identifier}`)
    .orderBy('created_at', 'desc')
    .executeTakeFirst()
}

/** Replaces the text of a draft (a CAP draft's translation); false when it is not a draft any more. */
export async function updateDraftText(db: Db, id: string, message: EmergencyMessage, cap: EmergencyCapOrigin | null): Promise<boolean> {
  const result = await db
    .withSchema(SCHEMA)
    .updateTable('emergency')
    .set({ message: JSON.stringify(message), cap: JSON.stringify(cap), updated_at: new Date() })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Marks a draft triggered; false when it was not a draft any more (a second trigger). */
/** Marks a draft triggered; `poll`, when given at the trigger, replaces the draft's. */
export async function markTriggered(db: Db, id: string, by: string, reason: string, poll?: SafetyPollSettings): Promise<boolean> {
  const result = await db
    .withSchema(SCHEMA)
    .updateTable('emergency')
    .set({ status: 'active', triggered_by: by, triggered_at: new Date(), approval_skip_reason: reason, updated_at: new Date(), ...(poll ? { poll: JSON.stringify(poll) } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function followUpsOf(db: Db, id: string): Promise<Array<{ id: string; kind: EmergencyKind; status: string }>> {
  return await db.withSchema(SCHEMA).selectFrom('emergency').select(['id', 'kind', 'status']).where('references_id', '=', id).orderBy('created_at').execute()
}

/** Alerts of a tenant still running (their escalation may wait for an acknowledgement). */
export async function activeEmergencies(db: Db, tenant: string): Promise<EmergencyRow[]> {
  return await db.withSchema(SCHEMA).selectFrom('emergency').selectAll().where('tenant', '=', tenant).where('status', '=', 'active').where('kind', '!=', 'cancel').execute()
}

export async function appendTimeline(db: Db, entry: { emergencyId: string; key: string; kind: TimelineKind; actor: string; detail?: Record<string, unknown> }): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('emergency_timeline')
    .values({ emergency_id: entry.emergencyId, step_key: entry.key, kind: entry.kind, actor: entry.actor, detail: JSON.stringify(entry.detail ?? {}) })
    .onConflict((oc) => oc.columns(['emergency_id', 'step_key']).doNothing())
    .execute()
}

export async function readTimeline(db: Db, id: string): Promise<TimelineEntry[]> {
  const rows = await db.withSchema(SCHEMA).selectFrom('emergency_timeline').selectAll().where('emergency_id', '=', id).orderBy('at').orderBy('id').execute()
  return rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind as TimelineKind, actor: r.actor, detail: r.detail }))
}

/**
 * What the worker answered about the alert's run (closed, acknowledged), kept on the alert: the
 * staff API's own lists (active alerts for acknowledgements by reply, follow-ups) read it here.
 */
export async function recordRunOutcome(db: Db, id: string, run: { state: 'active' | 'closed' | null; acknowledgedBy: string | null; acknowledgedAt: string | null }): Promise<void> {
  await sql`
    update broadcast.emergency set
      status = case when status = 'active' and ${run.state} = 'closed' then 'closed' else status end,
      acknowledged_by = coalesce(acknowledged_by, ${run.acknowledgedBy}),
      acknowledged_at = coalesce(acknowledged_at, ${run.acknowledgedAt}::timestamptz),
      updated_at = now()
    where id = ${id}::uuid and status <> 'draft'
      and ((status = 'active' and ${run.state} = 'closed') or (acknowledged_by is null and ${run.acknowledgedBy}::text is not null))`.execute(db)
}
