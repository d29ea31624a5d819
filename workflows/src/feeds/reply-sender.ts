import { Consumers, type OutboundReply } from '@banditore/contracts'
import { consume, type Logger, type RunningConsumer } from '@banditore/platform'
import { DispatchSlotMissedError, ProviderError } from '@banditore/providers'
import type { JsMsg } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { PermanentSendError, type OutboundSender } from '../activities/reply.activities.js'
import { claimReply, reconcileReply, recordReplyOutcome, stampReplySending, type ReplyKey, type ReplyOutcome } from '../sending/reply-ledger.repository.js'
import type { WorkerDatabase } from '../worker-database.js'
import type { ReplyInput } from '../workflows/reply-types.js'

export interface ReplySenderSettings {
  /** Replies in flight at once (across citizens; one at a time per citizen). */
  concurrency: number
  /** Tries of a reply refused for a transient reason before it fails as retries-exhausted. */
  maxAttempts: number
  /** Backoff between tries: this, doubling, up to `retryMaxMs`. */
  retryBaseMs: number
  retryMaxMs: number
  /** See reconcileReply: longer than the provider timeout plus the provider's status latency. */
  ambiguityWindowMs: number
  ambiguityGiveUpMs: number
  /** How often an ambiguous reply looks at the status feed again. */
  reconcileEveryMs: number
}

export const DEFAULT_REPLY_SENDER_SETTINGS: ReplySenderSettings = {
  concurrency: 256,
  maxAttempts: 8,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  ambiguityWindowMs: 30_000,
  ambiguityGiveUpMs: 10 * 60_000,
  reconcileEveryMs: 1000,
}

export interface ReplySenderOptions {
  nc: NatsConnection
  db: Kysely<WorkerDatabase>
  /** Sends through the tenant's provider under the sender number's shared rate limit. */
  sender: OutboundSender
  logger: Logger
  settings?: Partial<ReplySenderSettings>
}

/** A reply left to a redelivery, unsent: the sender is stopping, or the citizen's reply before it was. */
class ReplySenderStoppedError extends Error {
  constructor() {
    super('the reply goes back to the stream unsent')
    this.name = 'ReplySenderStoppedError'
  }
}

/** What a failed send means for its reply. */
function outcomeOf(error: unknown): ReplyOutcome {
  if (error instanceof PermanentSendError) return { kind: 'failed', reason: error.code }
  if (error instanceof ProviderError) {
    const reason = `${error.provider}:${error.providerCode ?? error.httpStatus ?? 'network'}`
    if (error.kind === 'permanent') return { kind: 'failed', reason }
    if (error.kind !== 'throttled' && error.ambiguous) return { kind: 'ambiguous', reason }
    return { kind: 'released', reason }
  }
  // Anything else failed before a request left (the rate limit's lease, configuration).
  return { kind: 'released', reason: error instanceof Error ? error.name : 'error' }
}

/**
 * The reply path: confirmations, auto-replies and desk answers (`outbound.reply.<tenant>`) sent
 * straight from the worker's durable JetStream consumer, in the batches it pulls, with no
 * Temporal workflow per reply (that made the Temporal server the bottleneck of a sign-up rush).
 *
 * - At the number's cap: every send takes a slot of the sender number's shared rate limit (the
 *   `OutboundSender` is built over it), so replies and broadcasts share one budget.
 * - In order per citizen: handlers start in stream order, and a reply waits for the one before
 *   it to the same citizen (same tenant and number) to settle before it is sent; a transient
 *   refusal is retried in place, holding the citizen's later replies, not redelivered behind them.
 * - Durable and exactly once: the command is acknowledged only once the reply ledger records
 *   the outcome; a redelivery finds the ledger row (keyed by the reply's id) and sends nothing
 *   again, and a send cut off mid-request is settled by the delivery status, as broadcasts are.
 *
 * Order holds within one worker process. With several workers the consumer spreads a burst
 * over them, and two replies to one citizen taken by different workers in the same instant can
 * cross; JetStream delivers them in stream order, so this needs both within a pull of each other.
 */
export async function startReplySender(options: ReplySenderOptions): Promise<RunningConsumer> {
  const { db, sender, logger } = options
  const settings = { ...DEFAULT_REPLY_SENDER_SETTINGS, ...options.settings }
  const log = logger.child({ consumer: Consumers.workerReplies.durable })
  const stopping = new AbortController()
  /** Per citizen, the end of their latest reply's handling (whether it settled): the next one starts after it. */
  const chains = new Map<string, Promise<boolean>>()

  /** Waits `ms`, keeping the command from being redelivered meanwhile; rejects on stop. */
  const pause = (msg: JsMsg, ms: number) =>
    new Promise<void>((resolve, reject) => {
      if (stopping.signal.aborted) return reject(new ReplySenderStoppedError())
      msg.working()
      const onStop = () => (clearTimeout(timer), reject(new ReplySenderStoppedError()))
      const timer = setTimeout(() => (stopping.signal.removeEventListener('abort', onStop), resolve()), ms)
      stopping.signal.addEventListener('abort', onStop, { once: true })
    })

  /** Settles a reply another delivery left `sending`: true when it must be sent (claimed again). */
  const settleAmbiguous = async (key: ReplyKey, msg: JsMsg) => {
    for (;;) {
      const decision = await reconcileReply(db, key, settings.ambiguityWindowMs, settings.ambiguityGiveUpMs)
      if (decision !== 'wait') return decision === 'resend'
      await pause(msg, settings.reconcileEveryMs)
    }
  }

  const deliver = async (reply: OutboundReply, msg: JsMsg) => {
    const key = { tenant: reply.tenant, replyId: reply.id }
    const fields = { tenant: reply.tenant, replyId: reply.id, channel: reply.channel }
    if (reply.text.trim() === '') {
      // Never sendable: recorded as failed so a redelivery finds it settled.
      if ((await claimReply(db, { ...key, channel: reply.channel })).claimed) await recordReplyOutcome(db, key, { kind: 'failed', reason: 'empty-reply' })
      log.warn(fields, 'reply without text not sent')
      return
    }
    const input: ReplyInput = {
      replyId: reply.id,
      tenant: reply.tenant,
      channel: reply.channel,
      to: reply.to,
      text: reply.text,
      lastInboundAt: reply.lastInboundAt,
      ...(reply.template ? { template: reply.template } : {}),
      ...(reply.interactive ? { interactive: reply.interactive } : {}),
    }
    for (let attempt = 1; ; attempt++) {
      const claim = await claimReply(db, { ...key, channel: reply.channel })
      if (!claim.claimed) {
        if (claim.state !== 'sending') {
          log.debug({ ...fields, state: claim.state }, 'reply already handled')
          return
        }
        if (!(await settleAmbiguous(key, msg))) return
      }
      let outcome: ReplyOutcome
      let error: unknown
      // Stamped as the request leaves, without holding it back; settled before the outcome is.
      let stamped: Promise<void> = Promise.resolve()
      const onSlot = () => {
        stamped = stamped.then(() => stampReplySending(db, key)).catch((failure: unknown) => log.warn({ ...fields, err: failure }, 'send time not recorded'))
      }
      try {
        outcome = { kind: 'accepted', providerMessageId: (await sender.send(input, { onSlot })).providerMessageId }
      } catch (failure) {
        error = failure
        outcome = outcomeOf(failure)
      }
      await stamped
      if (outcome.kind === 'released' && attempt >= settings.maxAttempts) outcome = { kind: 'failed', reason: `retries-exhausted: ${outcome.reason}` }
      await recordReplyOutcome(db, key, outcome)
      if (outcome.kind === 'accepted') {
        log.info({ ...fields, attempt }, 'reply accepted by provider')
        return
      }
      if (outcome.kind === 'failed') {
        log.info({ ...fields, reason: outcome.reason }, 'reply refused for good')
        return
      }
      log.warn({ ...fields, attempt, reason: outcome.reason, kind: outcome.kind }, 'reply not sent yet; trying again')
      // Rate-limit slots that went by unused (a busy machine) say nothing of the provider: the
      // next slot is tried at once, first in line.
      const slotsMissed = error instanceof ProviderError && error.cause instanceof DispatchSlotMissedError
      if (outcome.kind === 'released' && !slotsMissed) await pause(msg, Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (attempt - 1)))
    }
  }

  const consumer = await consume(
    options.nc,
    Consumers.workerReplies,
    (reply, { msg }) => {
      // Runs up to here synchronously as the consumer hands messages over, in stream order: the
      // citizen's chain is extended in that order. The key lives in memory only.
      const citizen = `${reply.tenant}\u0000${reply.to}`
      const mine = (chains.get(citizen) ?? Promise.resolve(true)).then(async (settled) => {
        // The reply before this one goes back to the stream (a stop, a failure): so does this
        // one, rather than overtake it.
        if (!settled || stopping.signal.aborted) throw new ReplySenderStoppedError()
        await deliver(reply, msg)
      })
      const tail = mine.then(
        () => true,
        () => false,
      )
      chains.set(citizen, tail)
      void tail.then(() => {
        if (chains.get(citizen) === tail) chains.delete(citizen)
      })
      return mine
    },
    logger,
    { concurrency: settings.concurrency },
  )
  return {
    done: consumer.done,
    async stop() {
      // Replies waiting (a backoff, an ambiguous send) give up their turn: redelivered later.
      stopping.abort()
      await consumer.stop()
    },
  }
}
