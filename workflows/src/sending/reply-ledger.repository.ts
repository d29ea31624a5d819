import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { STATUS_FEED } from './send-ledger.repository.js'

/**
 * The reply ledger: one row per reply, keyed by (tenant, reply id), every transition a guarded
 * UPDATE, so a command delivered twice (a redelivery after a crash, a second worker) is sent once:
 *
 *   (none) ──claim──▶ sending ──provider id / status──▶ accepted
 *                       │  └─ permanent error ─▶ failed
 *   pending ◀─ not sent ┘  (refused before or by the provider: certainly not accepted)
 *
 * A row left `sending` by a crash or a timeout is ambiguous: see `reconcileReply`.
 */
type Db = Kysely<WorkerDatabase>

export interface ReplyKey {
  tenant: string
  replyId: string
}

export type ReplyClaim =
  | { claimed: true }
  | { claimed: false; state: 'sending' | 'accepted' | 'failed'; sendingAt: Date | null }

export type ReplyOutcome =
  | { kind: 'accepted'; providerMessageId: string }
  | { kind: 'failed'; reason: string }
  /** Certainly not accepted: pending again, may be sent again. */
  | { kind: 'released'; reason: string }
  /** Maybe accepted: stays `sending` until a status or the reconcile rule settles it. */
  | { kind: 'ambiguous'; reason: string }

/** Claims a reply for sending: new, or pending again after a refusal. Else says where it stands. */
export async function claimReply(db: Db, key: ReplyKey & { channel: 'whatsapp' | 'sms' }): Promise<ReplyClaim> {
  const { rows } = await sql<{ state: string }>`
    insert into worker.reply_ledger as r (tenant, reply_id, channel, state, attempts, sending_at)
    values (${key.tenant}, ${key.replyId}, ${key.channel}, 'sending', 1, clock_timestamp())
    on conflict (tenant, reply_id) do update
      set state = 'sending', attempts = r.attempts + 1, sending_at = clock_timestamp(), updated_at = now()
      where r.state = 'pending'
    returning r.state`.execute(db)
  if (rows.length > 0) return { claimed: true }
  const row = await db.withSchema('worker').selectFrom('reply_ledger').select(['state', 'sending_at'])
    .where('tenant', '=', key.tenant).where('reply_id', '=', key.replyId).executeTakeFirst()
  // Pending again between the two statements: the caller claims once more.
  if (!row || row.state === 'pending') return await claimReply(db, key)
  return { claimed: false, state: row.state, sendingAt: row.sending_at ? new Date(row.sending_at) : null }
}

/**
 * The moment the request leaves: the claim came before the wait for the number's rate limit,
 * and the reconcile rule's window counts from the send itself, not from the queue.
 */
export async function stampReplySending(db: Db, key: ReplyKey): Promise<void> {
  await sql`update worker.reply_ledger set sending_at = clock_timestamp(), updated_at = now()
    where tenant = ${key.tenant} and reply_id = ${key.replyId} and state = 'sending'`.execute(db)
}

/** Writes what the provider answered, if the row is still `sending` (a status may have come first). */
export async function recordReplyOutcome(db: Db, key: ReplyKey, outcome: ReplyOutcome): Promise<void> {
  if (outcome.kind === 'ambiguous') {
    await sql`update worker.reply_ledger set reason = ${outcome.reason}, updated_at = now()
      where tenant = ${key.tenant} and reply_id = ${key.replyId} and state = 'sending'`.execute(db)
    return
  }
  const state = outcome.kind === 'released' ? 'pending' : outcome.kind
  await sql`
    update worker.reply_ledger set
      state = ${state},
      provider_message_id = coalesce(provider_message_id, ${outcome.kind === 'accepted' ? outcome.providerMessageId : null}),
      accepted_at = case when ${outcome.kind} = 'accepted' then now() else accepted_at end,
      reason = ${outcome.kind === 'accepted' ? null : outcome.reason},
      updated_at = now()
    where tenant = ${key.tenant} and reply_id = ${key.replyId} and state = 'sending'`.execute(db)
}

/** A provider status names the reply (its correlation): it was accepted, whatever we recorded. */
export async function applyReplyStatus(db: Db, key: ReplyKey, providerMessageId: string): Promise<boolean> {
  const result = await sql`
    update worker.reply_ledger set state = 'accepted', provider_message_id = coalesce(provider_message_id, ${providerMessageId}),
      accepted_at = coalesce(accepted_at, now()), reason = null, updated_at = now()
    where tenant = ${key.tenant} and reply_id = ${key.replyId} and state in ('sending', 'pending')`.execute(db)
  return Number(result.numAffectedRows ?? 0) > 0
}

/**
 * The broadcasts' reconcile rule for a reply left `sending`: the provider reports every accepted
 * reply with its correlation and the status feed applies it here, so the reply is sent again
 * only once the feed has applied every status up to `windowMs` after the send started and none
 * was for it (`resend`: claimed again). Still unknown after `giveUpMs`: failed as
 * `ambiguous-unresolved`, never sent again (a second message is worse than a missing one we
 * can name). Otherwise `wait`.
 */
export async function reconcileReply(db: Db, key: ReplyKey, windowMs: number, giveUpMs: number): Promise<'settled' | 'resend' | 'wait'> {
  const resent = await sql`
    update worker.reply_ledger l set attempts = l.attempts + 1, sending_at = clock_timestamp(), updated_at = now()
    from worker.status_feed f
    where f.name = ${STATUS_FEED} and l.tenant = ${key.tenant} and l.reply_id = ${key.replyId} and l.state = 'sending'
      and l.sending_at + make_interval(secs => ${windowMs / 1000}) < f.caught_up_at`.execute(db)
  if (Number(resent.numAffectedRows ?? 0) > 0) return 'resend'
  const failed = await sql`
    update worker.reply_ledger set state = 'failed', reason = 'ambiguous-unresolved', updated_at = now()
    where tenant = ${key.tenant} and reply_id = ${key.replyId} and state = 'sending'
      and sending_at < now() - make_interval(secs => ${giveUpMs / 1000})`.execute(db)
  if (Number(failed.numAffectedRows ?? 0) > 0) return 'settled'
  const row = await db.withSchema('worker').selectFrom('reply_ledger').select('state')
    .where('tenant', '=', key.tenant).where('reply_id', '=', key.replyId).executeTakeFirst()
  return row?.state === 'sending' ? 'wait' : 'settled'
}
