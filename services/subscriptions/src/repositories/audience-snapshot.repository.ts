import { sql, type Kysely } from 'kysely'
import type { SendChannel, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export interface AudienceFilters {
  /** Optional topics asked for; `everyone` when an always-on topic (emergencies) is among them. */
  topics: string[]
  everyone: boolean
  languages: string[] | null
  channels: SendChannel[] | null
}

export interface SnapshotRow {
  filters: string
  total: number
}

export async function findSnapshot(db: Db, tenant: string, snapshotId: string): Promise<SnapshotRow | undefined> {
  return await db.selectFrom('audience_snapshot').select(['filters', 'total']).where('tenant', '=', tenant).where('snapshot_id', '=', snapshotId).executeTakeFirst()
}

/** Serializes the first requests of one snapshot, so it is materialized once. */
export async function lockSnapshot(db: Db, tenant: string, snapshotId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`audience:${tenant}:${snapshotId}`}, 0))`.execute(db)
}

/**
 * Freezes the audience: every active subscriber matching the filters, numbered by subscriber
 * id. Pages then walk the numbers (keyset), so the audience does not shift under a broadcast.
 */
export async function materializeSnapshot(db: Db, tenant: string, snapshotId: string, filters: AudienceFilters, canonical: string, now: Date): Promise<number> {
  await db.insertInto('audience_snapshot').values({ tenant, snapshot_id: snapshotId, filters: canonical, total: 0, created_at: now }).execute()
  const inserted = await sql`
    insert into subscriptions.audience_snapshot_member (tenant, snapshot_id, position, subscriber_id, channel, language)
    select s.tenant, ${snapshotId}, row_number() over (order by s.id), s.id, s.channel, s.language
    from subscriptions.subscriber s
    where s.tenant = ${tenant} and s.status = 'active' and s.channel_stopped_at is null
      and (${filters.everyone} or s.topics && ${filters.topics}::text[])
      and (${filters.languages}::text[] is null or s.language = any(${filters.languages}::text[]))
      and (${filters.channels}::text[] is null or s.channel = any(${filters.channels}::text[]))
  `.execute(db)
  const total = Number(inserted.numAffectedRows ?? 0)
  await db.updateTable('audience_snapshot').set({ total }).where('tenant', '=', tenant).where('snapshot_id', '=', snapshotId).execute()
  return total
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
