import { sql, type Kysely } from 'kysely'
import type { SendChannel, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export interface AudienceFilters {
  /** Optional topics asked for; `everyone` when an always-on topic (emergencies) is among them. */
  topics: string[]
  everyone: boolean
  languages: string[] | null
  channels: SendChannel[] | null
  /** Only those this safety poll asked (subscribed when it opened) who have not answered it. */
  unansweredPoll?: string | null
}

export interface SnapshotRow {
  filters: string
  total: number
  complete: boolean
  created_at: Date
}

export async function findSnapshot(db: Db, tenant: string, snapshotId: string): Promise<SnapshotRow | undefined> {
  return await db
    .selectFrom('audience_snapshot')
    .select(['filters', 'total', 'complete', 'created_at'])
    .where('tenant', '=', tenant)
    .where('snapshot_id', '=', snapshotId)
    .executeTakeFirst()
}

/** Serializes the first requests of one snapshot, so it is materialized once. */
export async function lockSnapshot(db: Db, tenant: string, snapshotId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audience:${tenant}:${snapshotId}`}, 0))`.execute(db)
}

/**
 * `from … where …` of an audience at `at`: active subscribers not stopped on their channel who
 * match the filters and had subscribed by then (a newcomer after a snapshot is not in it). The
 * audience pages and the audience counts (audience-count.repository.ts) both read it, so a count
 * is what a page would hold.
 */
export const eligibleSubscribers = (tenant: string, filters: AudienceFilters, at: Date) => sql`
  from subscriptions.subscriber s
  where s.tenant = ${tenant} and s.status = 'active' and s.channel_stopped_at is null
    and coalesce(s.subscribed_at, s.created_at) <= ${at}
    and (${filters.everyone} or s.topics && ${filters.topics}::text[])
    and (${filters.languages}::text[] is null or s.language = any(${filters.languages}::text[]))
    and (${filters.channels}::text[] is null or s.channel = any(${filters.channels}::text[]))
    and (${filters.unansweredPoll ?? null}::uuid is null or (
      exists (select 1 from subscriptions.safety_poll p
        where p.tenant = s.tenant and p.poll_id = ${filters.unansweredPoll ?? null}::uuid and coalesce(s.subscribed_at, s.created_at) <= p.opened_at)
      and not exists (select 1 from subscriptions.safety_poll_answer a
        where a.tenant = s.tenant and a.poll_id = ${filters.unansweredPoll ?? null}::uuid and a.subscriber_id = s.id)))`

/** Audiences up to this size are written down whole at the first page. */
export const WHOLE_SNAPSHOT_MAX = 10_000

/**
 * Freezes the audience: every matching subscriber, numbered by subscriber id, so pages walk the
 * numbers (keyset) and the audience does not shift under a broadcast. A large audience has only
 * its first `firstPage` members written now (the first page is answered at once, which an
 * emergency to a whole town needs); `completeSnapshot` writes the rest with the same cut-off
 * time. Returns the audience size.
 */
export async function materializeSnapshot(
  db: Db,
  tenant: string,
  snapshotId: string,
  filters: AudienceFilters,
  canonical: string,
  now: Date,
  firstPage: number,
): Promise<{ total: number; complete: boolean }> {
  const counted = await sql<{ n: number }>`select count(*)::int as n ${eligibleSubscribers(tenant, filters, now)}`.execute(db)
  const total = Number(counted.rows[0]?.n ?? 0)
  const complete = total <= Math.max(firstPage, WHOLE_SNAPSHOT_MAX)
  await db.insertInto('audience_snapshot').values({ tenant, snapshot_id: snapshotId, filters: canonical, total, created_at: now, complete }).execute()
  await sql`
    insert into subscriptions.audience_snapshot_member (tenant, snapshot_id, position, subscriber_id, channel, language)
    select s.tenant, ${snapshotId}, row_number() over (order by s.id), s.id, s.channel, s.language
    from (select s.* ${eligibleSubscribers(tenant, filters, now)} order by s.id ${complete ? sql`` : sql`limit ${firstPage}`}) s
  `.execute(db)
  return { total, complete }
}

/** Writes down the rest of a snapshot (under its lock); a no-op when it is complete. */
export async function completeSnapshot(db: Db, tenant: string, snapshotId: string, filters: AudienceFilters): Promise<void> {
  const snapshot = await findSnapshot(db, tenant, snapshotId)
  if (!snapshot || snapshot.complete) return
  await sql`
    with last as (
      select coalesce(max(position), 0) as position, (array_agg(subscriber_id order by position desc))[1] as subscriber_id
      from subscriptions.audience_snapshot_member where tenant = ${tenant} and snapshot_id = ${snapshotId}
    )
    insert into subscriptions.audience_snapshot_member (tenant, snapshot_id, position, subscriber_id, channel, language)
    select s.tenant, ${snapshotId}, (select position from last) + row_number() over (order by s.id), s.id, s.channel, s.language
    ${eligibleSubscribers(tenant, filters, snapshot.created_at)}
      and ((select subscriber_id from last) is null or s.id > (select subscriber_id from last))
  `.execute(db)
  await db.updateTable('audience_snapshot').set({ complete: true }).where('tenant', '=', tenant).where('snapshot_id', '=', snapshotId).execute()
}

export interface SnapshotMember {
  position: number
  subscriberId: string
  phone: string
  channel: SendChannel
  language: string
}

/**
 * One page after `afterPosition`. A member who has since unsubscribed, been erased or stopped
 * on their channel is left out: an opt-out takes effect before the next page of a running
 * broadcast.
 */
export async function snapshotPage(db: Db, tenant: string, snapshotId: string, afterPosition: number, limit: number): Promise<SnapshotMember[]> {
  const rows = await sql<{ position: number; subscriber_id: string; phone: string; channel: SendChannel; language: string }>`
    select m.position, m.subscriber_id, s.phone, m.channel, m.language
    from subscriptions.audience_snapshot_member m
    join subscriptions.subscriber s on s.id = m.subscriber_id
    where m.tenant = ${tenant} and m.snapshot_id = ${snapshotId} and m.position > ${afterPosition}
      and s.status = 'active' and s.channel_stopped_at is null
    order by m.position
    limit ${limit}
  `.execute(db)
  return rows.rows.map((r) => ({ position: r.position, subscriberId: r.subscriber_id, phone: r.phone, channel: r.channel, language: r.language }))
}
