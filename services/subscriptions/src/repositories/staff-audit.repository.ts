import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export interface StaffAction {
  tenant: string
  /** The person (`Maria Rossi <maria.rossi@…>`) or token (`token:<holder>`). */
  actor: string
  action: string
  subscriberId?: string | null
  phoneHash?: string | null
  detail?: Record<string, unknown>
  at: Date
}

/** Appends to the audit trail of the subscribers screens (in the caller's transaction when given one). */
export async function recordStaffAction(db: Db, entry: StaffAction): Promise<void> {
  await db
    .insertInto('staff_audit')
    .values({
      tenant: entry.tenant,
      actor: entry.actor,
      action: entry.action,
      subscriber_id: entry.subscriberId ?? null,
      phone_hash: entry.phoneHash ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      occurred_at: entry.at,
    })
    .execute()
}

/** What staff did about a number (by its keyed hash), newest first. */
export async function staffActionsAbout(db: Db, tenant: string, phoneHash: string, limit = 200) {
  return await db
    .selectFrom('staff_audit')
    .selectAll()
    .where('tenant', '=', tenant)
    .where('phone_hash', '=', phoneHash)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute()
}
