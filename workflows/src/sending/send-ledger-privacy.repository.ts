import { createHmac } from 'node:crypto'
import type { DataSubjectErased, WorkerPrivacyExport } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'

type Db = Kysely<WorkerDatabase>

/**
 * The worker's pseudonym of a number: the same keyed hash subscriptions keeps as the proof
 * (HMAC-SHA256 of `<tenant>:<number>` under SUBSCRIBER_HASH_KEY, `hmac-sha256:<hex>`), so a
 * send-ledger row whose number was dropped can still be matched to a consent record, and only by
 * whoever holds the key.
 */
export type NumberPseudonymizer = (tenant: string, phone: string) => string

export function createNumberPseudonymizer(key: string): NumberPseudonymizer {
  return (tenant, phone) => `hmac-sha256:${createHmac('sha256', key).update(`${tenant}:${phone}`).digest('hex')}`
}

export interface WorkerErasureReport {
  sendsPseudonymised: number
  sendsSkipped: number
  optOutsPseudonymised: number
  pacingDeleted: number
}

const affected = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0)

/**
 * Erasure in the worker's tables, in one transaction: the number becomes the proof's keyed hash
 * in the send ledger (states, provider ids and dates stay: the broadcast's aggregates and the
 * proof of what was sent) and in the opt-out cache; sends still pending are skipped (`erased`),
 * so a running broadcast never sends to it; per-recipient pacing rows are deleted (they only
 * time the next message). Idempotent: a redelivered erasure finds nothing left.
 */
export async function eraseNumber(db: Db, erased: DataSubjectErased): Promise<WorkerErasureReport> {
  const { tenant, phone, phoneHash } = erased
  return await db.transaction().execute(async (trx) => {
    // A row already pseudonymised in the same send (a number erased, re-added, erased again)
    // keeps the proof; the newer duplicate goes.
    await sql`
      delete from worker.send_ledger l
      where l.tenant = ${tenant} and l.phone = ${phone}
        and exists (select 1 from worker.send_ledger d where d.broadcast_id = l.broadcast_id and d.phone = ${phoneHash})
    `.execute(trx)
    const skipped = await sql`
      update worker.send_ledger set phone = ${phoneHash}, state = 'skipped', reason = 'erased', updated_at = now()
      where tenant = ${tenant} and phone = ${phone} and state = 'pending'
    `.execute(trx)
    const sends = await sql`
      update worker.send_ledger
      set phone = ${phoneHash},
        -- Officials' contact rows of an emergency are keyed by their number too.
        subscriber_id = case when subscriber_id = ${`contact:${phone}`} then ${`contact:${phoneHash}`} else subscriber_id end,
        updated_at = now()
      where tenant = ${tenant} and phone = ${phone}
    `.execute(trx)
    const optOuts = await sql`update worker.opt_out set phone = ${phoneHash} where tenant = ${tenant} and phone = ${phone}`.execute(trx)
    const pacing = await sql`delete from worker.recipient_pacing where phone = ${phone}`.execute(trx)
    return {
      sendsPseudonymised: affected(sends) + affected(skipped),
      sendsSkipped: affected(skipped),
      optOutsPseudonymised: affected(optOuts),
      pacingDeleted: affected(pacing),
    }
  })
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value)
const plain = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)]))

/**
 * What the worker holds of a number in a tenant, for a privacy export (GDPR art. 15): its sends
 * a page at a time (`limit` after row `afterId`), also those whose number retention replaced by
 * `pseudonym` (the keyed hash); with the first page, the opt-out cache's row and its pacing.
 */
export async function exportNumber(
  db: Db,
  subject: { tenant: string; phone: string; pseudonym: string | undefined },
  page: { afterId: number; limit: number },
): Promise<WorkerPrivacyExport> {
  const numbers = [subject.phone, ...(subject.pseudonym ? [subject.pseudonym] : [])]
  const { rows } = await sql<Record<string, unknown> & { id: string }>`
    select id, broadcast_id, channel, language, state, reason, attempts, ambiguous_resends, provider_message_id,
      sending_at, accepted_at, updated_at, phone <> ${subject.phone} as number_pseudonymised
    from worker.send_ledger
    where tenant = ${subject.tenant} and phone = any(${numbers}::text[]) and id > ${page.afterId}
    order by id limit ${page.limit}
  `.execute(db)
  const last = rows.at(-1)
  const first = page.afterId === 0
  const optOut = first
    ? (await sql<Record<string, unknown>>`select subscriber_id, opted_out, change, occurred_at from worker.opt_out where tenant = ${subject.tenant} and phone = ${subject.phone}`.execute(db)).rows[0]
    : undefined
  const pacing = first ? (await sql<Record<string, unknown>>`select sender_key, next_at from worker.recipient_pacing where phone = ${subject.phone} order by sender_key`.execute(db)).rows : []
  return {
    sends: rows.map((r) => plain({ ...r, id: Number(r.id) })),
    ...(rows.length === page.limit && last ? { nextAfterSendId: Number(last.id) } : {}),
    optOut: optOut ? plain(optOut) : null,
    pacing: pacing.map(plain),
  }
}

/** States after which a send's row changes no more (a late status only moves it forward). */
const SETTLED = ['accepted', 'sent', 'delivered', 'read', 'failed', 'skipped']

/**
 * Send-ledger retention: the numbers of sends settled before `cutoff`, in runs that are over (or
 * sends outside a run: emergency fallbacks and notices), become their keyed hash, `batch` rows
 * at a time. Returns how many rows it changed (less than `batch`: nothing left).
 */
export async function pseudonymiseSettledSends(db: Db, pseudonymise: NumberPseudonymizer, cutoff: Date, batch: number): Promise<number> {
  return await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ id: string; tenant: string; phone: string }>`
      select l.id, l.tenant, l.phone from worker.send_ledger l
      where l.phone like '+%' and l.updated_at < ${cutoff} and l.state = any(${SETTLED}::text[])
        and not exists (select 1 from worker.broadcast_run r where r.broadcast_id = l.broadcast_id and (r.finished_at is null or r.finished_at >= ${cutoff}))
      order by l.id
      limit ${batch}
      for update skip locked
    `.execute(trx)
    if (rows.length === 0) return 0
    await sql`
      update worker.send_ledger l set phone = p.pseudonym,
        subscriber_id = case when l.subscriber_id = 'contact:' || l.phone then 'contact:' || p.pseudonym else l.subscriber_id end
      from unnest(${rows.map((r) => r.id)}::bigint[], ${rows.map((r) => pseudonymise(r.tenant, r.phone))}::text[]) as p(id, pseudonym)
      where l.id = p.id
    `.execute(trx)
    return rows.length
  })
}
