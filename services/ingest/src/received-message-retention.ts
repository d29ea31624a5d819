import type { Logger } from '@banditore/platform'
import { sql, type Kysely } from 'kysely'
import type { IngestDatabase } from './ingest-database.js'
import { purgeReceivedOlderThan } from './repositories/received-message.repository.js'

export interface RetentionOptions {
  readonly db: Kysely<IngestDatabase>
  readonly logger: Logger
  /** Rows older than this many days go. */
  readonly retentionDays: number
  /** Between runs, ms. */
  readonly intervalMs: number
}

/**
 * One retention run: deletes expired dedupe rows, unless another instance is doing it right now
 * (a transaction-scoped advisory lock, so a crashed run never leaves the lock held). Returns the
 * rows deleted, or null when another instance held the lock.
 */
export async function runReceivedMessageRetention(db: Kysely<IngestDatabase>, retentionDays: number): Promise<number | null> {
  return await db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext('banditore.ingest.retention')) as locked`.execute(trx)
    if (!rows[0]?.locked) return null
    return await purgeReceivedOlderThan(trx, retentionDays)
  })
}

/**
 * Runs retention every `intervalMs` in-process (first run shortly after start). A failed run is
 * logged and retried at the next tick: a late purge only keeps rows longer. `stop()` waits for a
 * run in progress.
 */
export function startReceivedMessageRetention({ db, logger, retentionDays, intervalMs }: RetentionOptions): { stop: () => Promise<void> } {
  let running: Promise<void> | undefined
  let stopped = false
  const tick = () => {
    if (stopped || running) return
    running = runReceivedMessageRetention(db, retentionDays)
      .then((deleted) => {
        if (deleted !== null) logger.info({ deleted, retentionDays }, 'received-message retention ran')
      })
      .catch((err: unknown) => logger.warn({ err }, 'received-message retention failed; retrying at the next interval'))
      .finally(() => {
        running = undefined
      })
  }
  const first = setTimeout(tick, Math.min(intervalMs, 30_000))
  const timer = setInterval(tick, intervalMs)
  first.unref()
  timer.unref()
  return {
    async stop() {
      stopped = true
      clearTimeout(first)
      clearInterval(timer)
      await running
    },
  }
}
