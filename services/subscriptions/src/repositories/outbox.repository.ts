import {
  DataSubjectErasedContract,
  OutboundReplyContract,
  Subjects,
  SubscriptionChangedContract,
  type DataSubjectErased,
  type OutboundReply,
  type SubscriptionChanged,
} from '@banditore/contracts'
import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

/**
 * Queues an OutboundReply in the caller's transaction (transactional outbox): it is published
 * only if the decision that made it commits, and published again until JetStream stores it.
 * Validated here, so a malformed reply fails the transaction instead of the relay.
 */
export async function enqueueReply(db: Db, reply: OutboundReply, now: Date): Promise<void> {
  OutboundReplyContract.parse(reply)
  await db
    .insertInto('outbox')
    .values({ tenant: reply.tenant, phone: reply.to, subject: Subjects.outboundReply(reply.tenant), msg_id: reply.id, payload: JSON.stringify(reply), created_at: now })
    .execute()
}

export async function enqueueChange(db: Db, change: SubscriptionChanged, now: Date): Promise<void> {
  SubscriptionChangedContract.parse(change)
  await db
    .insertInto('outbox')
    .values({
      tenant: change.tenant,
      phone: change.phone,
      subject: Subjects.subscriptionChanged(change.tenant),
      msg_id: change.id,
      payload: JSON.stringify(change),
      created_at: now,
    })
    .execute()
}

/** Announces an erasure to the services holding copies of the number (worker, moderation). */
export async function enqueueErasure(db: Db, erased: DataSubjectErased, now: Date): Promise<void> {
  DataSubjectErasedContract.parse(erased)
  await db
    .insertInto('outbox')
    .values({ tenant: erased.tenant, phone: erased.phone, subject: Subjects.subjectErased(erased.tenant), msg_id: erased.id, payload: JSON.stringify(erased), created_at: now })
    .execute()
}

/** Erasure drops the citizen's replies not yet sent; change events stay (they carry the erasure). */
export async function dropQueuedReplies(db: Db, tenant: string, phone: string): Promise<number> {
  const result = await db
    .deleteFrom('outbox')
    .where('tenant', '=', tenant)
    .where('phone', '=', phone)
    .where('subject', '=', Subjects.outboundReply(tenant))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
