import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

/**
 * Claims an inbound message for processing inside the caller's transaction. False when it was
 * already processed: a redelivered verdict then changes nothing and sends nothing twice.
 */
export async function claimMessage(db: Kysely<SubscriptionsDatabase>, tenant: string, messageId: string, now: Date): Promise<boolean> {
  const result = await db
    .insertInto('processed_message')
    .values({ message_id: messageId, tenant, processed_at: now })
    .onConflict((oc) => oc.column('message_id').doNothing())
    .executeTakeFirst()
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0
}
