import type { Kysely } from 'kysely'
import type { Subscriber, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** The citizen whose keyed number hash this is (the service never searches the plain number). */
export async function findByPhoneHash(db: Db, tenant: string, phoneHash: string): Promise<Subscriber | undefined> {
  return await db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('phone_hash', '=', phoneHash).executeTakeFirst()
}

export async function findSubscriberById(db: Db, tenant: string, id: string): Promise<Subscriber | undefined> {
  if (!UUID.test(id)) return undefined
  return await db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst()
}

const likePattern = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`

/** Citizens whose name contains every word of `text` (case-insensitive), subscribers first. */
export async function searchByName(db: Db, tenant: string, text: string, limit: number): Promise<Subscriber[]> {
  const words = text.normalize('NFC').split(/\s+/).filter(Boolean).slice(0, 5)
  let query = db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('name', 'is not', null)
  for (const word of words) query = query.where((eb) => eb(eb.fn('lower', ['name']), 'like', likePattern(word)))
  return await query.orderBy('status').orderBy('name').limit(limit).execute()
}
