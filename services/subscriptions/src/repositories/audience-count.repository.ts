import { sql, type Kysely } from 'kysely'
import type { SendChannel, SubscriptionsDatabase } from '../subscriptions-database.js'
import { eligibleSubscribers, type AudienceFilters } from './audience-snapshot.repository.js'

type Db = Kysely<SubscriptionsDatabase>

export interface AudienceGroup {
  channel: SendChannel
  language: string
  n: number
}

// Counted over the pages' own eligibility, minus blocked senders: the worker skips them at send
// time (a block is an opt-out in its cache), so a count is who a send would reach. Aggregates
// only: no row is written and no phone number is read. The (tenant, status, id) index narrows
// the scan to a tenant's active subscribers.

/** Subscribers matching the filters now, per channel and language. */
export async function countAudience(db: Db, tenant: string, filters: AudienceFilters, now: Date): Promise<AudienceGroup[]> {
  const rows = await sql<AudienceGroup>`
    select s.channel, s.language, count(*)::int as n
    ${eligibleSubscribers(tenant, filters, now)}
      and s.blocked_at is null
    group by s.channel, s.language
  `.execute(db)
  return rows.rows
}

/**
 * Of the subscribers matching the filters now, how many chose each of `topics` (optional topics;
 * an always-on topic reaches everyone and is not counted here). Topics nobody chose are absent.
 */
export async function countAudienceByTopic(db: Db, tenant: string, filters: AudienceFilters, topics: readonly string[], now: Date): Promise<Map<string, number>> {
  if (topics.length === 0) return new Map()
  const rows = await sql<{ topic: string; n: number }>`
    select t.topic, count(distinct s.id)::int as n
    from (
      select s.id, s.topics ${eligibleSubscribers(tenant, filters, now)}
        and s.blocked_at is null
        and s.topics && ${[...topics]}::text[]
    ) s
    cross join lateral unnest(s.topics) as t(topic)
    where t.topic = any(${[...topics]}::text[])
    group by t.topic
  `.execute(db)
  return new Map(rows.rows.map((r) => [r.topic, r.n]))
}
