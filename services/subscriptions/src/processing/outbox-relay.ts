import { DurablePublisher, type Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

const encoder = new TextEncoder()
const BATCH = 100

/**
 * Publishes the outbox to JetStream in insertion order and deletes what the stream stored.
 * Rows are locked (skip locked) while published, so instances never publish the same row at
 * once; a publish that fails leaves the row for the next flush, and the message id makes a
 * publish repeated after a crash a duplicate the stream drops.
 */
export class OutboxRelay {
  private readonly publisher: DurablePublisher
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Kysely<SubscriptionsDatabase>,
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    this.publisher = new DurablePublisher(nc)
  }

  /** Publishes everything queued; returns how many messages went out. */
  async flush(): Promise<number> {
    let total = 0
    for (;;) {
      const { published, failure } = await this.db.transaction().execute(async (trx) => {
        const rows = await trx.selectFrom('outbox').selectAll().orderBy('id').limit(BATCH).forUpdate().skipLocked().execute()
        const done: number[] = []
        let failure: unknown
        for (const row of rows) {
          try {
            await this.publisher.publish(row.subject, encoder.encode(JSON.stringify(row.payload)), { msgId: row.msg_id })
            done.push(row.id)
          } catch (error) {
            failure = error
            break
          }
        }
        // What the stream stored is deleted (and committed) even when a later publish failed.
        if (done.length > 0) await trx.deleteFrom('outbox').where('id', 'in', done).execute()
        return { published: done.length, failure }
      })
      total += published
      if (failure) throw failure
      if (published < BATCH) return total
    }
  }

  /** Sweeps periodically for rows a failed flush left behind. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => {
      this.running = this.flush().catch((error: unknown) => this.logger.warn({ err: error }, 'outbox flush failed; will retry'))
    }, intervalMs)
    this.timer.unref()
  }

  /** Stops the periodic sweep; `flush()` still works until `close()`. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }

  /** Stops listening for acknowledgements; call after the last flush, before NATS drains. */
  close(): void {
    this.publisher.close()
  }
}
