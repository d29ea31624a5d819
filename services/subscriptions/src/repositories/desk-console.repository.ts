import { sql, type Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

/** Bumps the tenant's desk revision (in the caller's transaction): live consoles reload. */
export async function bumpDeskRevision(db: Db, tenant: string, now: Date): Promise<void> {
  await db
    .insertInto('desk_revision')
    .values({ tenant, revision: 1, changed_at: now })
    .onConflict((oc) => oc.column('tenant').doUpdateSet({ revision: sql`desk_revision.revision + 1`, changed_at: now }))
    .execute()
}

export async function deskRevision(db: Db, tenant: string): Promise<number> {
  const row = await db.selectFrom('desk_revision').select('revision').where('tenant', '=', tenant).executeTakeFirst()
  return row ? Number(row.revision) : 0
}

export interface DeskAuditInput {
  tenant: string
  actor: string
  action: string
  subscriberId?: string | null
  detail?: Record<string, unknown>
  at: Date
}

/** One line of the desk's audit trail, and the revision bump every change implies. */
export async function recordDeskAction(db: Db, entry: DeskAuditInput): Promise<void> {
  await db
    .insertInto('desk_audit')
    .values({
      tenant: entry.tenant,
      actor: entry.actor,
      action: entry.action,
      subscriber_id: entry.subscriberId ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
      occurred_at: entry.at,
    })
    .execute()
  await bumpDeskRevision(db, entry.tenant, entry.at)
}

export interface ConversationSummaryRow {
  subscriber_id: string
  phone: string
  name: string | null
  channel: 'whatsapp' | 'sms'
  open_count: number
  /** Open help requests answering a safety poll: the conversation goes first. */
  urgent_count: number
  message_count: number
  first_open_at: Date | null
  last_received_at: Date
  last_text: string | null
  last_inbound_at: Date | null
  assigned_to: string | null
  blocked: boolean
}

/**
 * Conversations (one per citizen): those with an open help request (a safety poll's "2") first,
 * then those waiting, by their oldest unanswered message, then
 * the answered ones by their latest message. `withDeleted`: messages moderation deleted count
 * (for the roles that review them).
 */
export async function listConversations(db: Db, options: { tenant: string; status: 'open' | 'answered' | 'all'; withDeleted: boolean; limit: number }): Promise<ConversationSummaryRow[]> {
  // A help request is shown whatever moderation said of it: a person may be in danger.
  const visible = options.withDeleted ? sql`true` : sql`(m.moderation <> 'delete' or m.urgent)`
  const having =
    options.status === 'open'
      ? sql`having count(*) filter (where m.status = 'open') > 0`
      : options.status === 'answered'
        ? sql`having count(*) filter (where m.status = 'open') = 0`
        : sql``
  const result = await sql<ConversationSummaryRow>`
    select m.subscriber_id, min(m.phone) as phone, s.name, min(m.channel) as channel,
      count(*) filter (where m.status = 'open')::int as open_count,
      count(*) filter (where m.status = 'open' and m.urgent)::int as urgent_count,
      count(*)::int as message_count,
      min(m.received_at) filter (where m.status = 'open') as first_open_at,
      max(m.received_at) as last_received_at,
      (array_agg(m.text order by m.received_at desc))[1] as last_text,
      s.last_inbound_at, c.assigned_to, (s.blocked_at is not null) as blocked
    from subscriptions.desk_message m
    join subscriptions.subscriber s on s.id = m.subscriber_id
    left join subscriptions.desk_conversation c on c.tenant = m.tenant and c.subscriber_id = m.subscriber_id
    where m.tenant = ${options.tenant} and ${visible}
    group by m.subscriber_id, s.name, s.last_inbound_at, s.blocked_at, c.assigned_to
    ${having}
    order by (count(*) filter (where m.status = 'open' and m.urgent) = 0), (count(*) filter (where m.status = 'open') = 0), min(m.received_at) filter (where m.status = 'open'), max(m.received_at) desc
    limit ${options.limit}
  `.execute(db)
  return result.rows
}
