import { sql, type Kysely, type Updateable } from 'kysely'
import type { SendChannel, Subscriber, SubscriberTable, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export async function findSubscriber(db: Db, tenant: string, phone: string): Promise<Subscriber | undefined> {
  return await db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst()
}

export interface NewCitizen {
  tenant: string
  phone: string
  phoneHash: string
  language: string
  channel: SendChannel
  now: Date
}

/** The citizen's row, created (inactive, never subscribed) when they are new. */
export async function ensureSubscriber(db: Db, citizen: NewCitizen): Promise<Subscriber> {
  await db
    .insertInto('subscriber')
    .values({
      tenant: citizen.tenant,
      phone: citizen.phone,
      phone_hash: citizen.phoneHash,
      language: citizen.language,
      channel: citizen.channel,
      status: 'inactive',
      topics: [],
      created_at: citizen.now,
      updated_at: citizen.now,
    })
    .onConflict((oc) => oc.columns(['tenant', 'phone']).doNothing())
    .execute()
  const row = await findSubscriber(db, citizen.tenant, citizen.phone)
  if (!row) throw new Error('subscriber row vanished after insert')
  return row
}

export type SubscriberPatch = Omit<Updateable<SubscriberTable>, 'id' | 'tenant' | 'phone' | 'phone_hash' | 'change_seq' | 'created_at'>

/**
 * Applies a patch; `bump` increments the change sequence (one per SubscriptionChanged event).
 * Returns the row as stored.
 */
export async function updateSubscriber(db: Db, id: string, patch: SubscriberPatch, bump: boolean): Promise<Subscriber> {
  return await db
    .updateTable('subscriber')
    .set({ ...patch, ...(bump ? { change_seq: sql<number>`change_seq + 1` } : {}) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/**
 * Serializes everything that happens to one citizen of one tenant for the rest of the
 * transaction (verdicts, statuses and staff actions may race across instances).
 */
export async function lockCitizen(db: Db, tenant: string, phone: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`subscriptions:${tenant}:${phone}`}, 0))`.execute(db)
}
