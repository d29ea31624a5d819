import { isBsuid } from '@banditore/contracts'
import { sql, type Kysely, type Updateable } from 'kysely'
import type { SendChannel, Subscriber, SubscriberTable, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export async function findSubscriber(db: Db, tenant: string, phone: string): Promise<Subscriber | undefined> {
  return await db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst()
}

/**
 * The address a citizen is stored under. A subscriber found by the address itself is theirs;
 * otherwise a subscriber carrying the message's BSUID (`fromUserId`, or the address when it is
 * one) is the same citizen: a number's subscriber now writing username-only, or a username-only
 * subscriber whose number WhatsApp now shows. A new citizen keeps their own address.
 */
export async function resolveCitizenAddress(db: Db, tenant: string, address: string, fromUserId?: string): Promise<string> {
  const userId = fromUserId ?? (isBsuid(address) ? address : undefined)
  if (userId === undefined) return address
  const rows = await db
    .selectFrom('subscriber')
    .select(['phone', 'bsuid'])
    .where('tenant', '=', tenant)
    .where((eb) => eb.or([eb('phone', '=', address), eb('bsuid', '=', userId)]))
    .execute()
  return (rows.find((r) => r.phone === address) ?? rows[0])?.phone ?? address
}

/**
 * Keeps the BSUID a citizen's message carried beside their row (a new one replaces the old: Meta
 * gives a new BSUID with a new number), unless another row of the tenant already holds it.
 */
export async function rememberBsuid(db: Db, row: Subscriber, bsuid: string): Promise<Subscriber> {
  if (row.bsuid === bsuid) return row
  const updated = await db
    .updateTable('subscriber')
    .set({ bsuid })
    .where('id', '=', row.id)
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('subscriber as other').select('other.id').where('other.tenant', '=', row.tenant).where('other.bsuid', '=', bsuid))),
    )
    .returningAll()
    .executeTakeFirst()
  return updated ?? row
}

export interface NewCitizen {
  tenant: string
  phone: string
  phoneHash: string
  /** The BSUID the citizen's message carried, if any. */
  bsuid?: string
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
      bsuid: citizen.bsuid ?? null,
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
