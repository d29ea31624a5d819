import type { Insertable, Kysely } from 'kysely'
import type { PendingConfirmation, PendingConfirmationTable, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export async function addPendingConfirmation(db: Db, row: Insertable<PendingConfirmationTable>): Promise<void> {
  await db.insertInto('pending_confirmation').values(row).onConflict((oc) => oc.column('inbound_message_id').doNothing()).execute()
}

/** The citizen's latest unconfirmed form sign-up that has not expired at `now`. */
export async function openConfirmation(db: Db, tenant: string, phone: string, now: Date): Promise<PendingConfirmation | undefined> {
  return await db
    .selectFrom('pending_confirmation')
    .selectAll()
    .where('tenant', '=', tenant)
    .where('phone', '=', phone)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', now)
    .orderBy('requested_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function markConfirmed(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('pending_confirmation').set({ confirmed_at: now }).where('id', '=', id).execute()
}

/** An opt-out also withdraws a sign-up still waiting for its confirmation. Returns how many. */
export async function cancelOpenConfirmations(db: Db, tenant: string, phone: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('pending_confirmation')
    .set({ expires_at: now })
    .where('tenant', '=', tenant)
    .where('phone', '=', phone)
    .where('confirmed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
