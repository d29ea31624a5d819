import type { AudienceRecipient, DeliveryState } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase, LedgerState } from '../worker-database.js'

/**
 * The per-recipient send ledger. Every transition is a guarded UPDATE (the row must be in the
 * state the transition starts from), so retried activities, a second worker running the same
 * page, and statuses arriving late or twice can never move a recipient backwards or send twice:
 *
 *   pending ──claim──▶ sending ──provider id──▶ accepted ──status──▶ sent ▶ delivered ▶ read
 *      ▲                 │  └─ permanent error ─▶ failed          (statuses only move forward)
 *      └─ not sent ──────┘  (transient error before the request left, or throttled)
 *   pending ──opted out / cancelled──▶ skipped
 *
 * A row left in `sending` (a crash or a timeout between the request and the answer) is
 * ambiguous; see `releaseUnconfirmedSends` for the rule that decides whether it is sent again.
 */
export type Db = Kysely<WorkerDatabase>

export interface LedgerRow {
  id: number
  subscriberId: string
  phone: string
  channel: 'whatsapp' | 'sms'
  language: string
  state: LedgerState
  attempts: number
}

export type SendOutcome =
  | { id: number; kind: 'accepted'; providerMessageId: string }
  | { id: number; kind: 'failed'; reason: string }
  /**
   * Certainly not accepted (refused before or by the provider): back to pending. `unsent`: no
   * request left at all because its slot went by (the worker was late, not the provider): the
   * attempt does not count, or a slow spell would fail recipients nobody refused.
   */
  | { id: number; kind: 'released'; reason: string; unsent?: boolean }
  /** Maybe accepted: stays `sending` until a status or the reconcile rule settles it. */
  | { id: number; kind: 'ambiguous'; reason: string }

interface RawRow {
  id: number
  subscriber_id: string
  phone: string
  channel: 'whatsapp' | 'sms'
  language: string
  state: LedgerState
  attempts: number
}
const toRow = (r: RawRow): LedgerRow => ({
  id: Number(r.id),
  subscriberId: r.subscriber_id,
  phone: r.phone,
  channel: r.channel,
  language: r.language,
  state: r.state,
  attempts: r.attempts,
})

/**
 * Records a page of the audience (idempotent: a page read again adds nothing) and returns the
 * ledger row of each recipient, new or already there, in one statement.
 */
export async function recordRecipients(db: Db, broadcastId: string, tenant: string, recipients: readonly AudienceRecipient[]): Promise<LedgerRow[]> {
  if (recipients.length === 0) return []
  const { rows } = await sql<RawRow>`
    with input as (
      select * from unnest(${recipients.map((r) => r.subscriberId)}::text[], ${recipients.map((r) => r.phone)}::text[],
        ${recipients.map((r) => r.channel)}::text[], ${recipients.map((r) => r.language)}::text[]) as t(subscriber_id, phone, channel, language)
    ), inserted as (
      insert into worker.send_ledger (broadcast_id, tenant, subscriber_id, phone, channel, language)
      select ${broadcastId}::uuid, ${tenant}, subscriber_id, phone, channel, language from input
      on conflict (broadcast_id, phone) do nothing
      returning id, subscriber_id, phone, channel, language, state, attempts
    )
    select * from inserted
    union all
    select l.id, l.subscriber_id, l.phone, l.channel, l.language, l.state, l.attempts
    from worker.send_ledger l
    where l.broadcast_id = ${broadcastId}::uuid and l.phone in (select phone from input)
      and not exists (select 1 from inserted i where i.phone = l.phone)
  `.execute(db)
  return rows.map(toRow)
}

/** Pending rows of `ids` whose subscriber opted out since the snapshot become skipped. */
export async function skipOptedOut(db: Db, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return []
  const { rows } = await sql<{ id: number }>`
    update worker.send_ledger l set state = 'skipped', reason = 'unsubscribed', updated_at = now()
    where l.id = any(${ids}::bigint[]) and l.state = 'pending'
      and exists (select 1 from worker.opt_out o where o.tenant = l.tenant and o.opted_out
                  and (o.subscriber_id = l.subscriber_id or o.phone = l.phone))
    returning l.id
  `.execute(db)
  return rows.map((r) => Number(r.id))
}

/** pending → sending for the rows of `ids` still pending; only the returned ids may be sent. */
export async function claimForSending(db: Db, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set()
  const { rows } = await sql<{ id: number }>`
    update worker.send_ledger set state = 'sending', attempts = attempts + 1, sending_at = now(), updated_at = now()
    where id = any(${ids}::bigint[]) and state = 'pending'
    returning id
  `.execute(db)
  return new Set(rows.map((r) => Number(r.id)))
}

/**
 * The moment the requests of `ids` leave: they were claimed before the wait for the number's
 * rate limit (a batch, or one held behind an emergency), and the reconcile rule's window must
 * count from the send itself, not from the claim.
 */
export async function stampSending(db: Db, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return
  await sql`update worker.send_ledger set sending_at = clock_timestamp()
    where id = any(${ids}::bigint[]) and state = 'sending'`.execute(db)
}

/** Writes what the provider answered, for rows still `sending` (a status may have come first). */
export async function recordOutcomes(db: Db, outcomes: readonly SendOutcome[]): Promise<void> {
  if (outcomes.length === 0) return
  await sql`
    update worker.send_ledger l set
      state = case v.kind when 'accepted' then 'accepted' when 'failed' then 'failed' when 'released' then 'pending' else 'sending' end,
      provider_message_id = coalesce(l.provider_message_id, v.pmid),
      accepted_at = case when v.kind = 'accepted' then now() else l.accepted_at end,
      reason = case when v.kind = 'accepted' then null else v.reason end,
      attempts = case when v.unsent then greatest(l.attempts - 1, 0) else l.attempts end,
      ambiguous_at = case when v.kind = 'ambiguous' then coalesce(l.ambiguous_at, now()) else l.ambiguous_at end,
      updated_at = now()
    from unnest(${outcomes.map((o) => o.id)}::bigint[], ${outcomes.map((o) => o.kind)}::text[],
      ${outcomes.map((o) => (o.kind === 'accepted' ? o.providerMessageId : null))}::text[],
      ${outcomes.map((o) => (o.kind === 'accepted' ? null : o.reason))}::text[],
      ${outcomes.map((o) => o.kind === 'released' && o.unsent === true)}::boolean[]) as v(id, kind, pmid, reason, unsent)
    where l.id = v.id and l.state = 'sending'
  `.execute(db)
}

/** Pending rows that used up their attempts fail, with the last error as reason. */
export async function failExhausted(db: Db, broadcastId: string, maxAttempts: number): Promise<number> {
  const result = await sql`
    update worker.send_ledger set state = 'failed', reason = 'retries-exhausted: ' || coalesce(reason, 'unknown'), updated_at = now()
    where broadcast_id = ${broadcastId}::uuid and state = 'pending' and attempts >= ${maxAttempts}
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * The reconcile rule for ambiguous sends (`sending`, no provider id). Every broadcast send
 * carries its ledger id, and the provider reports every accepted message with it; the status
 * feed moves such a row forward as soon as the status is applied. So a row is sent again only
 * when the status feed is known to have applied every status received up to `windowMs` after
 * the send started (`sending_at`: the claim, then the moment its rate-limit slot let the request
 * go, see stampSending) and none was for it: then the provider did not accept it. Until then it
 * waits (never a guess). `windowMs` must exceed the provider request timeout plus the
 * provider's status latency. Returns the rows released and how long the rest must wait.
 */
export async function releaseUnconfirmedSends(
  db: Db,
  broadcastId: string,
  windowMs: number,
): Promise<{ released: number; waiting: number; retryInMs: number | undefined }> {
  const released = await sql`
    update worker.send_ledger l set state = 'pending', ambiguous_resends = ambiguous_resends + 1, updated_at = now()
    from worker.status_feed f
    where f.name = ${STATUS_FEED} and l.broadcast_id = ${broadcastId}::uuid and l.state = 'sending'
      and l.sending_at + make_interval(secs => ${windowMs / 1000}) < f.caught_up_at
  `.execute(db)
  const { rows } = await sql<{ waiting: number; oldest: Date | null; now: Date }>`
    select count(*)::int as waiting, min(sending_at) as oldest, now() as now
    from worker.send_ledger where broadcast_id = ${broadcastId}::uuid and state = 'sending'
  `.execute(db)
  const row = rows[0]
  const waiting = row?.waiting ?? 0
  const retryInMs = waiting > 0 && row?.oldest ? Math.max(1000, row.oldest.getTime() + windowMs - row.now.getTime() + 1000) : undefined
  return { released: Number(released.numAffectedRows ?? 0), waiting, retryInMs }
}

/**
 * An emergency's rule for ambiguous sends: whatever is still `sending` `olderThanMs` after it
 * left is sent again without waiting for proof that the first was not accepted. A citizen may
 * get the alert twice, which beats not getting it; the caller records it in the run's events.
 */
export async function releaseUnprovenSends(db: Db, broadcastId: string, olderThanMs: number): Promise<number> {
  const result = await sql`
    update worker.send_ledger set state = 'pending', ambiguous_resends = ambiguous_resends + 1, updated_at = now()
    where broadcast_id = ${broadcastId}::uuid and state = 'sending' and sending_at < now() - make_interval(secs => ${olderThanMs / 1000})
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/**
 * Ambiguous rows still unconfirmed after `olderThanMs` (the status feed never caught up) fail as
 * `ambiguous-unresolved`: reported to staff, never sent again, because a second message is
 * worse than a missing one we can name.
 */
export async function failUnresolvable(db: Db, broadcastId: string, olderThanMs: number): Promise<number> {
  const result = await sql`
    update worker.send_ledger set state = 'failed', reason = 'ambiguous-unresolved', updated_at = now()
    where broadcast_id = ${broadcastId}::uuid and state = 'sending' and sending_at < now() - make_interval(secs => ${olderThanMs / 1000})
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Rows of a broadcast not yet settled (pending or sending), oldest first. */
export async function unsettledRows(db: Db, broadcastId: string, limit: number): Promise<LedgerRow[]> {
  const { rows } = await sql<RawRow>`
    select id, subscriber_id, phone, channel, language, state, attempts from worker.send_ledger
    where broadcast_id = ${broadcastId}::uuid and state in ('pending', 'sending') order by id limit ${limit}
  `.execute(db)
  return rows.map(toRow)
}

/** A cancelled broadcast: nobody still pending will get it. */
export async function skipPending(db: Db, broadcastId: string, reason: string): Promise<number> {
  const result = await sql`
    update worker.send_ledger set state = 'skipped', reason = ${reason}, updated_at = now()
    where broadcast_id = ${broadcastId}::uuid and state = 'pending'
  `.execute(db)
  return Number(result.numAffectedRows ?? 0)
}

/** Rows by state, for some ids or the whole broadcast. */
export async function countByState(db: Db, broadcastId: string, ids?: readonly number[]): Promise<Partial<Record<LedgerState, number>>> {
  const { rows } = await sql<{ state: LedgerState; n: number }>`
    select state, count(*)::int as n from worker.send_ledger
    where broadcast_id = ${broadcastId}::uuid ${ids ? sql`and id = any(${ids}::bigint[])` : sql``}
    group by state
  `.execute(db)
  return Object.fromEntries(rows.map((r) => [r.state, r.n]))
}

/** Why a send's rows failed, each reason once, in ledger order (no phone numbers). */
export async function failureReasons(db: Db, broadcastId: string): Promise<string[]> {
  const { rows } = await sql<{ reason: string | null }>`
    select reason from worker.send_ledger where broadcast_id = ${broadcastId}::uuid and state = 'failed' order by id`.execute(db)
  return [...new Set(rows.map((r) => r.reason ?? 'unknown'))]
}

/** The status feed's row name in worker.status_feed. */
export const STATUS_FEED = 'inbound-status'

/**
 * Applies a provider status to the row its correlation names, only forward (ranks in the
 * migration): a `read` before its `delivered` wins, the late `delivered` is then ignored; a
 * skipped row is never touched. Returns whether the row moved.
 */
export async function applyDeliveryStatus(
  db: Db,
  status: { broadcastId: string; ledgerId: number; state: DeliveryState; providerMessageId: string; errorCode?: string },
): Promise<boolean> {
  const result = await sql`
    update worker.send_ledger set
      state = ${status.state},
      provider_message_id = coalesce(provider_message_id, ${status.providerMessageId}),
      accepted_at = coalesce(accepted_at, now()),
      reason = case when ${status.state} = 'failed' then ${`provider:${status.errorCode ?? 'unknown'}`} else null end,
      updated_at = now()
    where id = ${status.ledgerId} and broadcast_id = ${status.broadcastId}::uuid
      and worker.ledger_rank(state) < worker.ledger_rank(${status.state}) and state <> 'skipped'
  `.execute(db)
  return Number(result.numAffectedRows ?? 0) > 0
}

/** Moves the status feed's watermark forward (never back). */
export async function advanceStatusFeed(db: Db, caughtUpAt: Date): Promise<void> {
  await sql`
    insert into worker.status_feed (name, caught_up_at) values (${STATUS_FEED}, ${caughtUpAt})
    on conflict (name) do update set caught_up_at = greatest(worker.status_feed.caught_up_at, excluded.caught_up_at), updated_at = now()
  `.execute(db)
}

/** One failed send, for the staff's report of failures. */
export interface FailedSend {
  id: number
  phone: string
  channel: 'whatsapp' | 'sms'
  reason: string
  at: Date
}

/**
 * A page of a broadcast's failed sends, in ledger order, after ledger id `after` (keyset paging
 * over the (broadcast_id, state) index: a long report never re-reads earlier pages).
 */
export async function readFailedSends(db: Db, broadcastId: string, after: number, limit: number): Promise<FailedSend[]> {
  const { rows } = await sql<{ id: number; phone: string; channel: 'whatsapp' | 'sms'; reason: string | null; updated_at: Date }>`
    select id, phone, channel, reason, updated_at from worker.send_ledger
    where broadcast_id = ${broadcastId}::uuid and state = 'failed' and id > ${after}
    order by id limit ${limit}
  `.execute(db)
  return rows.map((r) => ({ id: Number(r.id), phone: r.phone, channel: r.channel, reason: r.reason ?? 'unknown', at: new Date(r.updated_at) }))
}
