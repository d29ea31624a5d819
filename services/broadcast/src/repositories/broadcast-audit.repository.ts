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
    /** `actor`: the text naming the person (`Maria Rossi <…>`, `token:<holder>`); `tokenId` when absent. */
    actor: { tokenId: string; holder: string; role: StaffRole; actor?: string }
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
      actor: entry.actor.actor ?? entry.actor.tokenId,
      holder: entry.actor.holder,
      role: entry.actor.role,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute()
}

/** Who drafted the broadcast (its `drafted` entry's holder): four eyes compare people, whatever token or session they use. */
export async function findAuthorHolder(db: Db, broadcastId: string): Promise<string | undefined> {
  const row = await db
    .withSchema(SCHEMA)
    .selectFrom('broadcast_audit')
    .select('holder')
    .where('broadcast_id', '=', broadcastId)
    .where('action', '=', 'drafted')
    .executeTakeFirst()
  return row?.holder
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
