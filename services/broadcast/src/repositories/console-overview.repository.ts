import type { EmergencySummary } from '@banditore/contracts'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'
import type { EmergencyRow } from './emergency.repository.js'

type Db = Kysely<BroadcastDatabase>

/** Drafts of a tenant: each waits for an approver (or for its author's edits after a rejection). */
export async function countDrafts(db: Db, tenant: string): Promise<number> {
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('broadcast')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('tenant', '=', tenant)
    .where('status', '=', 'draft')
    .executeTakeFirst()
  return Number(row?.n ?? 0)
}

/** A tenant's emergencies, newest first; `open`: active and drafts only (not all-clears). */
export async function listEmergencies(db: Db, tenant: string, options: { limit: number; open?: boolean }): Promise<EmergencyRow[]> {
  let q = db.withSchema(SCHEMA).selectFrom('emergency').selectAll().where('tenant', '=', tenant)
  if (options.open) q = q.where('status', 'in', ['draft', 'active']).where('kind', '!=', 'cancel')
  return await q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(options.limit).execute()
}

export function summaryOf(row: EmergencyRow, defaultLanguage: string): EmergencySummary {
  const headline = row.message.headline[defaultLanguage] ?? Object.values(row.message.headline)[0] ?? ''
  return {
    id: row.id,
    kind: row.kind,
    status: row.status,
    references: row.references_id,
    severity: row.message.severity,
    headline,
    source: row.source,
    ...(row.bulletin ? { bulletin: row.bulletin } : {}),
    createdAt: row.created_at.toISOString(),
    triggeredAt: row.triggered_at ? new Date(row.triggered_at).toISOString() : null,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at ? new Date(row.acknowledged_at).toISOString() : null,
  }
}
