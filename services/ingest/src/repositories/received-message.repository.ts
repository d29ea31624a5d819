import { sql, type Kysely } from 'kysely'
import type { IngestDatabase } from '../ingest-database.js'
import { StatementBatcher } from '../statement-batcher.js'

/** What the intake needs from the dedupe memory. */
export interface ReceivedMessageLedger {
  /** The ids among `ids` that were durably published before. */
  seen(ids: readonly string[]): Promise<Set<string>>
  /** Remembers ids JetStream acknowledged. Idempotent. */
  record(ids: readonly string[]): Promise<void>
}

export interface PostgresLedgerOptions {
  /**
   * Look-ups and inserts running at once, each (pool connections in use). Default 1: the fewer
   * statements run at once, the more webhooks each one serves; one round trip (~0.3 ms) is far
   * below the answer time, and every statement costs both processes several syscalls.
   */
  readonly maxConcurrent?: number
  /** Most ids in one statement. Default 1000. */
  readonly maxKeys?: number
}

/**
 * The ledger in `ingest.received_message`. Concurrent requests share statements: under load one
 * `= any($1)` look-up and one `unnest($1)` insert serve hundreds of webhooks, so PostgreSQL does
 * not cap the intake rate.
 */
export class PostgresReceivedMessageLedger implements ReceivedMessageLedger {
  private readonly lookups: StatementBatcher<string, Set<string>>
  private readonly inserts: StatementBatcher<string, void>

  constructor(db: Kysely<IngestDatabase>, options: PostgresLedgerOptions = {}) {
    const batching = { maxConcurrent: options.maxConcurrent ?? 1, maxKeys: options.maxKeys ?? 1000 }
    this.lookups = new StatementBatcher((ids) => findReceived(db, ids), batching)
    this.inserts = new StatementBatcher((ids) => insertReceived(db, ids), batching)
  }

  async seen(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set()
    const found = await this.lookups.run(ids)
    // The set covers every caller of the shared statement: keep only this caller's ids.
    return new Set(ids.filter((id) => found.has(id)))
  }

  async record(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return
    await this.inserts.run(ids)
  }
}

/** The ids among `ids` already in the table. */
export async function findReceived(db: Kysely<IngestDatabase>, ids: readonly string[]): Promise<Set<string>> {
  const rows = await db
    .withSchema('ingest')
    .selectFrom('received_message')
    .select('id')
    .where('id', '=', sql<string>`any(${sql.val([...new Set(ids)])}::text[])`)
    .execute()
  return new Set(rows.map((r) => r.id))
}

/**
 * Inserts ids not yet present; a concurrent insert of the same id is not an error.
 *
 * The statement commits asynchronously (synchronous_commit off, set for its own transaction
 * only): it does not wait for the WAL flush, which would otherwise put a disk fsync in every
 * webhook's answer. What a PostgreSQL crash can lose is the last fraction of a second of rows,
 * for messages JetStream already stored, and a lost row costs at worst a duplicate later than the
 * JetStream window, never a lost message; that is the ledger's contract anyway (see InboundIntake).
 */
export async function insertReceived(db: Kysely<IngestDatabase>, ids: readonly string[]): Promise<void> {
  // Sorted and distinct: two statements inserting overlapping ids lock them in the same order.
  const unique = [...new Set(ids)].sort()
  await sql`
    insert into ingest.received_message (id)
    select received.id
    from unnest(${sql.val(unique)}::text[]) as received(id),
         (select set_config('synchronous_commit', 'off', true)) as async_commit
    on conflict (id) do nothing`.execute(db)
}

/**
 * Deletes ids first seen more than `retentionDays` ago, at most `chunk` rows per statement so no
 * statement holds locks for long. Returns how many rows went.
 */
export async function purgeReceivedOlderThan(db: Kysely<IngestDatabase>, retentionDays: number, chunk = 10_000): Promise<number> {
  let total = 0
  for (;;) {
    const result = await sql`
      delete from ingest.received_message
      where id in (
        select id from ingest.received_message
        where first_seen_at < now() - make_interval(days => ${retentionDays})
        limit ${chunk}
      )`.execute(db)
    const deleted = Number(result.numAffectedRows ?? 0)
    total += deleted
    if (deleted < chunk) return total
  }
}
