import { DeliveryStatusContract, parseBroadcastCorrelation, Streams, Subjects } from '@banditore/contracts'
import { consumeDurable, PermanentMessageError, type Logger, type RunningConsumer } from '@banditore/platform'
import { jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'
import { parseReplyCorrelation } from '../activities/provider-reply-sender.js'
import { applyReplyStatus } from '../sending/reply-ledger.repository.js'
import { advanceStatusFeed, applyDeliveryStatus } from '../sending/send-ledger.repository.js'

export interface BroadcastStatusFeedOptions {
  nc: NatsConnection
  db: Kysely<WorkerDatabase>
  logger: Logger
  /** Durable consumer name: shared by every worker instance. */
  durable?: string
  concurrency?: number
  /** How often the watermark is looked at, ms. */
  watermarkEveryMs?: number
}

/**
 * Delivery statuses (`inbound.status.*`, from ingest) applied to the send and reply ledgers, and the feed's
 * watermark: the time before which every status JetStream received has been applied. The
 * reconcile rule for ambiguous sends trusts "no status" only up to that watermark.
 *
 * The watermark, soundly: at time T the consumer reports nothing pending (every status stored
 * before T was delivered to us, the last one at stream sequence D); once the acknowledged floor
 * reaches D, all of them were applied, so T is the watermark.
 */
export async function startBroadcastStatusFeed(options: BroadcastStatusFeedOptions): Promise<RunningConsumer> {
  const { nc, db, logger } = options
  const durable = options.durable ?? 'broadcast-statuses'
  const log = logger.child({ consumer: durable })
  const consumer = await consumeDurable(
    nc,
    { stream: Streams.inbound.name, durable, filterSubject: Subjects.inboundStatus('*'), maxDeliver: 10, concurrency: options.concurrency ?? 32 },
    async (msg) => {
      let status
      try {
        status = DeliveryStatusContract.decode(msg.data)
      } catch (cause) {
        throw new PermanentMessageError('delivery status violates its contract', { code: 'CONTRACT_VIOLATION', cause })
      }
      const target = status.correlation ? parseBroadcastCorrelation(status.correlation) : undefined
      if (!target) {
        // A reply's status proves the provider accepted it: an ambiguous send is settled.
        const reply = status.correlation ? parseReplyCorrelation(status.correlation) : undefined
        if (reply) await applyReplyStatus(db, reply, status.providerMessageId)
        return
      }
      const moved = await applyDeliveryStatus(db, {
        ...target,
        state: status.state,
        providerMessageId: status.providerMessageId,
        ...(status.error ? { errorCode: status.error.code } : {}),
      })
      log.debug({ tenant: status.tenant, broadcastId: target.broadcastId, ledgerId: target.ledgerId, state: status.state, moved }, 'status applied')
    },
    logger,
  )

  const jsm = await jetstreamManager(nc)
  const candidates: Array<{ at: Date; seq: number }> = []
  let stopped = false
  const tick = async () => {
    const at = new Date()
    const info = await jsm.consumers.info(Streams.inbound.name, durable)
    if (info.num_pending === 0) candidates.push({ at, seq: info.delivered.stream_seq })
    if (candidates.length > 20) candidates.shift()
    let reached: Date | undefined
    while (candidates.length > 0 && (candidates[0]?.seq ?? Infinity) <= info.ack_floor.stream_seq) reached = candidates.shift()?.at
    if (reached) await advanceStatusFeed(db, reached)
  }
  const loop = (async () => {
    while (!stopped) {
      await tick().catch((error: unknown) => log.warn({ err: error }, 'status feed watermark not updated'))
      await new Promise((resolve) => setTimeout(resolve, options.watermarkEveryMs ?? 1000))
    }
  })()

  return {
    done: consumer.done,
    async stop() {
      stopped = true
      await consumer.stop()
      await loop
    },
  }
}
