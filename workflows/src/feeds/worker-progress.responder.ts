import {
  BroadcastFailuresReplyContract,
  BroadcastFailuresRequestContract,
  BroadcastRunsReplyContract,
  BroadcastRunsRequestContract,
  EmergencyRunReplyContract,
  EmergencyRunRequestContract,
  PRIVACY_EXPORT_SENDS_PAGE,
  PrivacyExportRequestContract,
  PrivacySubjects,
  WorkerPrivacyExportReplyContract,
  WORKER_RESPONDERS,
  WorkerSubjects,
  type BroadcastFailuresReply,
  type BroadcastRunsReply,
  type EmergencyRunReply,
  type WorkerPrivacyExportReply,
} from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { readEmergencyRun } from '../sending/emergency-run.repository.js'
import { exportNumber, type NumberPseudonymizer } from '../sending/send-ledger-privacy.repository.js'
import { readFailedSends } from '../sending/send-ledger.repository.js'
import { countChannelMessages, readBroadcastRuns } from '../sending/worker-progress.repository.js'
import type { WorkerDatabase } from '../worker-database.js'

export interface WorkerProgressResponder {
  stop(): Promise<void>
}

/**
 * Answers the staff API's questions about the worker's data (WorkerSubjects): where broadcast
 * runs stand with their ledgers counted, a broadcast's failed sends page by page (for the staff's
 * report of failures), and an emergency alert's run with its timeline steps.
 * Read from the tables, so a run whose workflow has closed is answered the same. Requests are
 * validated on receipt; one outside its contract is answered `ok: false`, never guessed at.
 */
export function startWorkerProgressResponder(options: {
  nc: NatsConnection
  db: Kysely<WorkerDatabase>
  logger: Logger
  /** The keyed hash retention puts in place of a number: a privacy export finds those sends too. */
  pseudonymise?: NumberPseudonymizer
}): WorkerProgressResponder {
  const { nc, db, logger } = options
  const failure = (code: string, error: unknown) => ({
    version: 1 as const,
    ok: false as const,
    error: { code, message: error instanceof Error ? error.message : String(error) },
  })
  const serve = (subject: string, answer: (data: Uint8Array) => Promise<Uint8Array>): Subscription =>
    nc.subscribe(subject, {
      queue: WORKER_RESPONDERS,
      callback: (error, msg: Msg) => {
        if (error) return logger.warn({ err: error, subject }, 'worker responder subscription failed')
        void answer(msg.data).then((reply) => msg.respond(reply))
      },
    })

  const runs = serve(WorkerSubjects.broadcastRuns, async (data) => {
    let reply: BroadcastRunsReply
    try {
      const request = BroadcastRunsRequestContract.decode(data)
      try {
        reply = { version: 1, ok: true, runs: await readBroadcastRuns(db, request.broadcastIds, { ledger: request.ledger, events: request.events ?? false }) }
      } catch (error) {
        logger.warn({ err: error }, 'broadcast runs not read')
        reply = failure('UNAVAILABLE', error)
      }
    } catch (error) {
      reply = failure('BAD_REQUEST', error)
    }
    return BroadcastRunsReplyContract.encode(reply)
  })

  const failures = serve(WorkerSubjects.broadcastFailures, async (data) => {
    let reply: BroadcastFailuresReply
    try {
      const request = BroadcastFailuresRequestContract.decode(data)
      try {
        const rows = await readFailedSends(db, request.broadcastId, request.after ?? 0, request.limit)
        const last = rows.at(-1)
        reply = {
          version: 1,
          ok: true,
          failures: rows.map((r) => ({ phone: r.phone, channel: r.channel, reason: r.reason, at: r.at.toISOString() })),
          next: rows.length === request.limit && last ? last.id : null,
        }
      } catch (error) {
        logger.warn({ err: error, broadcastId: request.broadcastId }, 'failed sends not read')
        reply = failure('UNAVAILABLE', error)
      }
    } catch (error) {
      reply = failure('BAD_REQUEST', error)
    }
    return BroadcastFailuresReplyContract.encode(reply)
  })

  const emergencies = serve(WorkerSubjects.emergencyRun, async (data) => {
    let reply: EmergencyRunReply
    try {
      const request = EmergencyRunRequestContract.decode(data)
      try {
        const run = await readEmergencyRun(db, request.alertId)
        const messages = await countChannelMessages(db, run.fallbackId ? [request.alertId, run.fallbackId] : [request.alertId])
        reply = {
          version: 1,
          ok: true,
          alertId: request.alertId,
          state: run.state,
          acknowledgedBy: run.acknowledgedBy,
          acknowledgedAt: run.acknowledgedAt,
          entries: run.entries,
          messages,
        }
      } catch (error) {
        logger.warn({ err: error, alertId: request.alertId }, 'emergency run not read')
        reply = failure('UNAVAILABLE', error)
      }
    } catch (error) {
      reply = failure('BAD_REQUEST', error)
    }
    return EmergencyRunReplyContract.encode(reply)
  })

  // A privacy export (asked by subscriptions for the privacy officer): logged without the number.
  const exports = serve(PrivacySubjects.workerExport, async (data) => {
    let reply: WorkerPrivacyExportReply
    try {
      const request = PrivacyExportRequestContract.decode(data)
      try {
        const pseudonym = options.pseudonymise?.(request.tenant, request.phone)
        const page = { afterId: request.afterSendId ?? 0, limit: PRIVACY_EXPORT_SENDS_PAGE }
        reply = { version: 1, ok: true, data: await exportNumber(db, { tenant: request.tenant, phone: request.phone, pseudonym }, page) }
      } catch (error) {
        logger.warn({ err: error, tenant: request.tenant }, 'privacy export not read')
        reply = failure('UNAVAILABLE', error)
      }
    } catch (error) {
      reply = failure('BAD_REQUEST', error)
    }
    return WorkerPrivacyExportReplyContract.encode(reply)
  })

  return {
    async stop() {
      // Drained: requests already received are answered before the subscription goes.
      await Promise.all([runs.drain(), failures.drain(), emergencies.drain(), exports.drain()])
    },
  }
}
