import type { Logger } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { pseudonymiseSettledSends, type NumberPseudonymizer } from './send-ledger-privacy.repository.js'

const DAY_MS = 86_400_000
const BATCH = 1000

/**
 * Drops the numbers from the send ledger once sends are `days` old (pseudonymiseSettledSends):
 * the rows, their states and dates stay, for the broadcasts' aggregates and the proof of what
 * was sent. In-process, on an interval; rows are taken with SKIP LOCKED, so several workers
 * share a pass without waiting on each other.
 */
export class SendLedgerRetentionJob {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Kysely<WorkerDatabase>,
    private readonly pseudonymise: NumberPseudonymizer,
    private readonly days: number,
    private readonly logger: Logger,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One pass: every settled send older than the retention. Returns how many numbers it dropped. */
  async runOnce(): Promise<number> {
    const cutoff = new Date(this.clock().getTime() - this.days * DAY_MS)
    let total = 0
    for (;;) {
      const changed = await pseudonymiseSettledSends(this.db, this.pseudonymise, cutoff, BATCH)
      total += changed
      if (changed < BATCH) break
    }
    if (total > 0) this.logger.info({ sendLedgerNumbersDropped: total, retentionDays: this.days }, 'send-ledger retention pass done')
    return total
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, 'send-ledger retention pass failed'))
    }
    tick()
    this.timer = setInterval(tick, intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
