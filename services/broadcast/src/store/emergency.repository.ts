import type { EmergencyKind, EmergencyMessage, TimelineEntry, TimelineKind } from '@banditore/contracts'
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
    source: 'manual' | 'cap'
    cap: { identifier: string; sender: string; sent: string; status: string } | null
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

/** Marks a draft triggered; false when it was not a draft any more (a second trigger). */
export async function markTriggered(db: Db, id: string, by: string, reason: string): Promise<boolean> {
  const result = await db
    .withSchema(SCHEMA)
    .updateTable('emergency')
    .set({ status: 'active', triggered_by: by, triggered_at: new Date(), approval_skip_reason: reason, updated_at: new Date() })
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

/** Messages of the alert per channel: its citizens' send and the SMS fallback (any send of the alert's timeline). */
export async function emergencyMessageCounts(db: Db, id: string) {
  const { rows } = await sql<{ channel: 'whatsapp' | 'sms'; sent: number; delivered: number; failed: number }>`
    select channel,
      count(*) filter (where state in ('accepted', 'sent', 'delivered', 'read'))::int as sent,
      count(*) filter (where state in ('delivered', 'read'))::int as delivered,
      count(*) filter (where state = 'failed')::int as failed
    from broadcast.send_ledger
    where broadcast_id = ${id}::uuid
       or broadcast_id = (select (detail->>'fallbackId')::uuid from broadcast.emergency_timeline where emergency_id = ${id}::uuid and step_key = 'sms-fallback-started')
    group by channel`.execute(db)
  const zero = { sent: 0, delivered: 0, failed: 0 }
  const of = (channel: 'whatsapp' | 'sms') => {
    const r = rows.find((x) => x.channel === channel)
    return r ? { sent: r.sent, delivered: r.delivered, failed: r.failed } : zero
  }
  return { whatsapp: of('whatsapp'), sms: of('sms') }
}
