import { sql, type Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

/** The municipality's day: roots close at midnight in Rome. */
const ZONE = 'Europe/Rome'

export interface ConsentChainRoot {
  tenant: string
  /** `YYYY-MM-DD`, Europe/Rome. */
  day: string
  /** The chain's last record that day: its sequence number and hash. */
  headSeq: number
  headHash: string
  /** Records appended that day. */
  records: number
}

/**
 * Records, for every tenant, the root of each day before `asOf`'s day (Europe/Rome, by when the
 * records were written) on which its chain grew and that has no root yet, and puts each in the
 * staff audit trail (`consent-chain-root`). Idempotent: a day's root is written once, by
 * whichever instance comes first. Returns the roots written.
 */
export async function recordDailyRoots(db: Kysely<SubscriptionsDatabase>, asOf: Date): Promise<ConsentChainRoot[]> {
  return await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ tenant: string; day: string; head_seq: string; head_hash: string; records: number }>`
      with last as (
        select tenant, max(day) as day from subscriptions.consent_chain_root group by tenant
      ), dated as (
        select tenant, chain_seq, (recorded_at at time zone ${sql.lit(ZONE)})::date as day
        from subscriptions.consent_ledger where chain_seq is not null
      ), days as (
        select d.tenant, d.day, max(d.chain_seq) as head_seq, count(*)::int as records
        from dated d left join last on last.tenant = d.tenant
        where d.day < (${asOf}::timestamptz at time zone ${sql.lit(ZONE)})::date and (last.day is null or d.day > last.day)
        group by d.tenant, d.day
      )
      insert into subscriptions.consent_chain_root (tenant, day, head_seq, head_hash, records)
      select d.tenant, d.day, d.head_seq, c.hash, d.records
      from days d join subscriptions.consent_ledger c on c.tenant = d.tenant and c.chain_seq = d.head_seq
      on conflict do nothing
      returning tenant, day::text as day, head_seq, head_hash, records
    `.execute(trx)
    const roots = rows
      .map((r) => ({ tenant: r.tenant, day: r.day, headSeq: Number(r.head_seq), headHash: r.head_hash, records: r.records }))
      .sort((a, b) => a.tenant.localeCompare(b.tenant) || a.day.localeCompare(b.day))
    for (const root of roots) {
      await trx
        .insertInto('staff_audit')
        .values({
          tenant: root.tenant,
          actor: 'sistema',
          action: 'consent-chain-root',
          subscriber_id: null,
          phone_hash: null,
          detail: JSON.stringify({ day: root.day, headSeq: root.headSeq, headHash: root.headHash, records: root.records }),
          occurred_at: new Date(),
        })
        .execute()
    }
    return roots
  })
}

/** A tenant's roots, oldest first. */
export async function listDailyRoots(db: Kysely<SubscriptionsDatabase>, tenant: string): Promise<ConsentChainRoot[]> {
  const { rows } = await sql<{ tenant: string; day: string; head_seq: string; head_hash: string; records: number }>`
    select tenant, day::text as day, head_seq, head_hash, records from subscriptions.consent_chain_root where tenant = ${tenant} order by day`.execute(db)
  return rows.map((r) => ({ tenant: r.tenant, day: r.day, headSeq: Number(r.head_seq), headHash: r.head_hash, records: r.records }))
}

/** For each chain sequence number, the first root that covers it (a receipt's day root); absent until that day closed. */
export function rootsCovering(roots: readonly ConsentChainRoot[], seqs: readonly number[]): ConsentChainRoot[] {
  const covering = new Map<string, ConsentChainRoot>()
  for (const seq of seqs) {
    const root = roots.find((r) => r.headSeq >= seq)
    if (root) covering.set(root.day, root)
  }
  return [...covering.values()].sort((a, b) => a.day.localeCompare(b.day))
}
