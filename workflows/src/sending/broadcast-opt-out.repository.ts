import type { SubscriptionChanged } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'

/** Changes after which a subscriber must get no broadcast; and those that bring one back. */
const OPTS_OUT = new Set<SubscriptionChanged['change']>(['unsubscribed', 'blocked', 'erased', 'whatsapp-stopped'])
const OPTS_IN = new Set<SubscriptionChanged['change']>(['subscribed', 'unblocked'])

/** Whether a change decides anything about opting out (topic and language changes do not). */
export const decidesOptOut = (change: SubscriptionChanged['change']) => OPTS_OUT.has(change) || OPTS_IN.has(change)

/**
 * Records a subscriber's opt-out state from a subscription change. Changes may arrive out of
 * order: the latest `occurredAt` wins. An erased subscriber is final (their id is never used
 * again) and keeps no number: the row opts the id out, and no later or concurrent change of the
 * same instant writes the number back.
 */
export async function recordSubscriptionChange(db: Kysely<WorkerDatabase>, change: SubscriptionChanged): Promise<void> {
  if (!decidesOptOut(change.change)) return
  const phone = change.change === 'erased' ? `erased:${change.subscriberId}` : change.phone
  await sql`
    insert into worker.opt_out as o (tenant, subscriber_id, phone, opted_out, change, occurred_at)
    values (${change.tenant}, ${change.subscriberId}, ${phone}, ${OPTS_OUT.has(change.change)}, ${change.change}, ${change.occurredAt})
    on conflict (tenant, subscriber_id) do update set
      phone = excluded.phone, opted_out = excluded.opted_out, change = excluded.change, occurred_at = excluded.occurred_at
    where o.occurred_at <= excluded.occurred_at and o.change <> 'erased'
  `.execute(db)
}
