import { sql, type Kysely } from 'kysely'
import type { ConsentReceiptProof } from '@banditore/contracts'
import type { ConsentRecord, SubscriptionsDatabase } from '../subscriptions-database.js'
import { dayMerkleRoot, receiptProof } from './consent-merkle.js'

/** The municipality's day: roots close at midnight in Rome. */
const ZONE = 'Europe/Rome'

export interface ConsentChainRoot {
  tenant: string
  /** `YYYY-MM-DD`, Europe/Rome. */
  day: string
  /** The chain's last record that day: its sequence number and hash. */
  headSeq: number
  headHash: string
  /** Records appended that day (the Merkle tree's size). */
  records: number
  /** RFC 6962 Merkle root (hex) over that day's record hashes in chain order; null for roots written before it. */
  merkleRoot: string | null
}

/** A record's day: the date in Rome when it was written, as the roots count them. */
const dayOf = sql`(recorded_at at time zone ${sql.lit(ZONE)})::date`

/**
 * A tenant's records written on `day` (Europe/Rome), in chain order: the leaves of the day's
 * Merkle tree. The range on `recorded_at` is the same day as `dayOf`, written so it needs no cast
 * of every row.
 */
export async function dayLeaves(db: Kysely<SubscriptionsDatabase>, tenant: string, day: string): Promise<{ seq: number; hash: string }[]> {
  const { rows } = await sql<{ chain_seq: string; hash: string }>`
    select chain_seq, hash from subscriptions.consent_ledger
    where tenant = ${tenant} and chain_seq is not null
      and recorded_at >= (${day}::date::timestamp at time zone ${sql.lit(ZONE)})
      and recorded_at < ((${day}::date + 1)::timestamp at time zone ${sql.lit(ZONE)})
    order by chain_seq`.execute(db)
  return rows.map((r) => ({ seq: Number(r.chain_seq), hash: r.hash }))
}

/**
 * Records, for every tenant, the root of each day before `asOf`'s day (Europe/Rome, by when the
 * records were written) on which its chain grew and that has no root yet, with the Merkle root
 * over that day's records, and puts each in the staff audit trail (`consent-chain-root`).
 * Idempotent: a day's root is written once, by whichever instance comes first. Returns the roots
 * written.
 */
export async function recordDailyRoots(db: Kysely<SubscriptionsDatabase>, asOf: Date): Promise<ConsentChainRoot[]> {
  return await db.transaction().execute(async (trx) => {
    const { rows: due } = await sql<{ tenant: string; day: string; head_seq: string; head_hash: string; records: number }>`
      with last as (
        select tenant, max(day) as day from subscriptions.consent_chain_root group by tenant
      ), dated as (
        select tenant, chain_seq, ${dayOf} as day
        from subscriptions.consent_ledger where chain_seq is not null
      ), days as (
        select d.tenant, d.day, max(d.chain_seq) as head_seq, count(*)::int as records
        from dated d left join last on last.tenant = d.tenant
        where d.day < (${asOf}::timestamptz at time zone ${sql.lit(ZONE)})::date and (last.day is null or d.day > last.day)
        group by d.tenant, d.day
      )
      select d.tenant, d.day::text as day, d.head_seq, c.hash as head_hash, d.records
      from days d join subscriptions.consent_ledger c on c.tenant = d.tenant and c.chain_seq = d.head_seq
      order by d.tenant, d.day
    `.execute(trx)
    const roots: ConsentChainRoot[] = []
    for (const r of due) {
      const leaves = await dayLeaves(trx, r.tenant, r.day)
      const merkleRoot = dayMerkleRoot(leaves.map((l) => l.hash))
      const written = await trx
        .insertInto('consent_chain_root')
        .values({ tenant: r.tenant, day: r.day, head_seq: Number(r.head_seq), head_hash: r.head_hash, records: r.records, merkle_root: merkleRoot })
        .onConflict((oc) => oc.doNothing())
        .returning('tenant')
        .executeTakeFirst()
      if (written) roots.push({ tenant: r.tenant, day: r.day, headSeq: Number(r.head_seq), headHash: r.head_hash, records: r.records, merkleRoot })
    }
    roots.sort((a, b) => a.tenant.localeCompare(b.tenant) || a.day.localeCompare(b.day))
    for (const root of roots) {
      await trx
        .insertInto('staff_audit')
        .values({
          tenant: root.tenant,
          actor: 'sistema',
          action: 'consent-chain-root',
          subscriber_id: null,
          phone_hash: null,
          detail: JSON.stringify({ day: root.day, headSeq: root.headSeq, headHash: root.headHash, records: root.records, merkleRoot: root.merkleRoot }),
          occurred_at: new Date(),
        })
        .execute()
    }
    return roots
  })
}

/** A tenant's roots, oldest first. */
export async function listDailyRoots(db: Kysely<SubscriptionsDatabase>, tenant: string): Promise<ConsentChainRoot[]> {
  const { rows } = await sql<{ tenant: string; day: string; head_seq: string; head_hash: string; records: number; merkle_root: string | null }>`
    select tenant, day::text as day, head_seq, head_hash, records, merkle_root from subscriptions.consent_chain_root where tenant = ${tenant} order by day`.execute(db)
  return rows.map((r) => ({ tenant: r.tenant, day: r.day, headSeq: Number(r.head_seq), headHash: r.head_hash, records: r.records, merkleRoot: r.merkle_root }))
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

/**
 * Each chained record's inclusion proof in its day's Merkle tree, by ledger id: only for records
 * whose day has a root with a Merkle root (a day still open, or rooted before Merkle roots, has
 * none). The path is computed from the ledger as it is now and the root is the one registered,
 * so a record edited since its day closed gets a proof that fails.
 */
export async function receiptProofs(
  db: Kysely<SubscriptionsDatabase>,
  tenant: string,
  records: readonly ConsentRecord[],
  roots: readonly ConsentChainRoot[],
): Promise<Map<number, ConsentReceiptProof>> {
  const proofs = new Map<number, ConsentReceiptProof>()
  const chained = records.filter((r) => r.chain_seq !== null && r.hash !== null)
  if (chained.length === 0) return proofs
  const { rows } = await sql<{ id: number; day: string }>`
    select id, ${dayOf}::text as day from subscriptions.consent_ledger where id in (${sql.join(chained.map((r) => r.id))})`.execute(db)
  const days = new Map(rows.map((r) => [Number(r.id), r.day]))
  for (const day of new Set(days.values())) {
    const merkleRoot = roots.find((r) => r.day === day)?.merkleRoot
    if (!merkleRoot) continue
    const leaves = await dayLeaves(db, tenant, day)
    const hashes = leaves.map((l) => l.hash)
    for (const record of chained.filter((r) => days.get(Number(r.id)) === day)) {
      const index = leaves.findIndex((l) => l.seq === Number(record.chain_seq))
      if (index >= 0) proofs.set(Number(record.id), receiptProof(day, hashes, index, merkleRoot))
    }
  }
  return proofs
}
