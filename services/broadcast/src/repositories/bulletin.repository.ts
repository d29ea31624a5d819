import type { BulletinCheckView, BulletinColour, BulletinReadingView } from '@banditore/contracts'
import { sql, type Kysely, type Transaction } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>

/** Keeps a reading once per tenant, bulletin and day (a second read of the same bulletin adds nothing). */
export async function recordReading(
  db: Db,
  row: { tenant: string; bulletinId: string; bulletinName: string; day: string; zone: string; colour: BulletinColour; criticality: string },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('bulletin_reading')
    .values({ tenant: row.tenant, bulletin_id: row.bulletinId, bulletin_name: row.bulletinName, day: row.day, zone: row.zone, colour: row.colour, criticality: row.criticality })
    .onConflict((oc) => oc.columns(['tenant', 'bulletin_id', 'day']).doNothing())
    .execute()
}

/**
 * Claims the draft of a tenant's zone, day and colour for `emergencyId` (inserted in the same
 * transaction); false when another replica or an earlier bulletin has it (the caller rolls back).
 */
export async function claimDraft(db: Transaction<BroadcastDatabase>, row: { tenant: string; zone: string; day: string; colour: 'orange' | 'red'; bulletinId: string; emergencyId: string }): Promise<boolean> {
  const inserted = await db
    .withSchema(SCHEMA)
    .insertInto('bulletin_draft')
    .values({ tenant: row.tenant, zone: row.zone, day: row.day, colour: row.colour, bulletin_id: row.bulletinId, emergency_id: row.emergencyId })
    .onConflict((oc) => oc.columns(['tenant', 'zone', 'day', 'colour']).doNothing())
    .returning('emergency_id')
    .executeTakeFirst()
  return inserted !== undefined
}

/** Drafts whose staff on duty were not told yet (a notice that failed is tried again next check). */
export async function draftsToNotify(db: Db): Promise<Array<{ tenant: string; emergencyId: string }>> {
  const rows = await db.withSchema(SCHEMA).selectFrom('bulletin_draft').select(['tenant', 'emergency_id']).where('notified_at', 'is', null).orderBy('created_at').execute()
  return rows.map((r) => ({ tenant: r.tenant, emergencyId: r.emergency_id }))
}

/** Marks the draft's notice started; false when another replica did it first. */
export async function markNotified(db: Db, emergencyId: string): Promise<boolean> {
  const result = await db.withSchema(SCHEMA).updateTable('bulletin_draft').set({ notified_at: new Date() }).where('emergency_id', '=', emergencyId).where('notified_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function recordCheck(db: Db, check: Omit<BulletinCheckView, 'checkedAt'>): Promise<BulletinCheckView> {
  const row = await db
    .withSchema(SCHEMA)
    .insertInto('bulletin_check')
    .values({ ok: check.ok, error: check.error, bulletins: JSON.stringify(check.bulletins), drafts: JSON.stringify(check.drafts) })
    .returning('checked_at')
    .executeTakeFirstOrThrow()
  return { checkedAt: row.checked_at.toISOString(), ...check }
}

export async function lastCheck(db: Db): Promise<BulletinCheckView | null> {
  const row = await db.withSchema(SCHEMA).selectFrom('bulletin_check').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst()
  return row ? { checkedAt: row.checked_at.toISOString(), ok: row.ok, error: row.error, bulletins: row.bulletins, drafts: row.drafts } : null
}

/** The latest readings of a tenant (or of every tenant), newest bulletin and day first, with their draft. */
export async function listReadings(db: Db, tenant: string | undefined, limit: number): Promise<BulletinReadingView[]> {
  let query = db
    .withSchema(SCHEMA)
    .selectFrom('bulletin_reading as r')
    .leftJoin('bulletin_draft as d', (join) =>
      join.onRef('d.tenant', '=', 'r.tenant').onRef('d.zone', '=', 'r.zone').onRef('d.day', '=', 'r.day').onRef('d.colour', '=', 'r.colour'),
    )
    .select(['r.tenant', 'r.bulletin_id', 'r.bulletin_name', sql<string>`to_char(r.day, 'YYYY-MM-DD')`.as('day'), 'r.zone', 'r.colour', 'r.criticality', 'r.read_at', 'd.emergency_id'])
    .orderBy('r.bulletin_id', 'desc')
    .orderBy('r.day', 'desc')
    .limit(limit)
  if (tenant !== undefined) query = query.where('r.tenant', '=', tenant)
  const rows = await query.execute()
  return rows.map((r) => ({
    tenant: r.tenant,
    bulletinId: r.bulletin_id,
    bulletinName: r.bulletin_name,
    day: r.day,
    zone: r.zone,
    colour: r.colour,
    criticality: r.criticality,
    readAt: r.read_at.toISOString(),
    emergencyId: r.emergency_id ?? null,
  }))
}
