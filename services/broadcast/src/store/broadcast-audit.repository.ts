import type { AuditEntry, StaffRole } from '@banditore/contracts'
import type { Kysely, Transaction } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>

/** Who did what to a broadcast, appended in the same transaction as the change it records. */
export async function appendAudit(
  db: Db,
  entry: {
    broadcastId: string
    tenant: string
    action: string
    actor: { tokenId: string; holder: string; role: StaffRole }
    detail?: Record<string, unknown>
  },
): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('broadcast_audit')
    .values({
      broadcast_id: entry.broadcastId,
      tenant: entry.tenant,
      action: entry.action,
      actor: entry.actor.tokenId,
      holder: entry.actor.holder,
      role: entry.actor.role,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute()
}

export async function listAudit(db: Db, broadcastId: string): Promise<AuditEntry[]> {
  const rows = await db
    .withSchema(SCHEMA)
    .selectFrom('broadcast_audit')
    .selectAll()
    .where('broadcast_id', '=', broadcastId)
    .orderBy('id')
    .execute()
  return rows.map((r) => ({ at: r.at.toISOString(), action: r.action, actor: r.actor, holder: r.holder, role: r.role, detail: r.detail }))
}
