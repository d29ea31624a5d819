import {
  BroadcastFailuresReplyContract,
  BroadcastFailuresRequestContract,
  BroadcastRunsReplyContract,
  BroadcastRunsRequestContract,
  EmergencyRunReplyContract,
  EmergencyRunRequestContract,
  WorkerSubjects,
  type BroadcastFailure,
  type BroadcastRunView,
  type EmergencyRunReply,
} from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'

/** The worker did not answer, or answered outside its contract: staff see a 503 and try again. */
export class WorkerUnavailableError extends Error {
  readonly code = 'WORKER_UNAVAILABLE'
  readonly statusCode = 503
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'WorkerUnavailableError'
  }
}

export type EmergencyRun = Extract<EmergencyRunReply, { ok: true }>

/**
 * What the staff API asks the worker about the data the worker owns (its `worker` schema): where
 * broadcast runs stand, their send ledgers counted, an emergency alert's run and timeline. NATS
 * request/reply (WorkerSubjects), answered from the worker's tables by any worker instance, so a
 * run whose workflow has closed is answered the same.
 */
export interface WorkerProgress {
  /** The runs of `broadcastIds` that exist, by broadcast id; with `ledger`, counted (and their events); with `events`, their events. */
  runs(broadcastIds: readonly string[], options?: { ledger?: boolean; events?: boolean }): Promise<Map<string, BroadcastRunView>>
  emergencyRun(alertId: string): Promise<EmergencyRun>
  /** A page of a broadcast's failed sends; `next` is the `after` of the following page (null: none). */
  failures(broadcastId: string, page: { after?: number; limit: number }): Promise<{ failures: BroadcastFailure[]; next: number | null }>
}

export function createWorkerProgress({ nc, timeoutMs }: { nc: NatsConnection; timeoutMs: number }): WorkerProgress {
  const ask = async (subject: string, payload: Uint8Array, what: string): Promise<Uint8Array> => {
    try {
      return (await nc.request(subject, payload, { timeout: timeoutMs })).data
    } catch (cause) {
      throw new WorkerUnavailableError(`il worker non risponde (${what}); riprovare tra poco`, { cause })
    }
  }
  const decoded = <T>(decode: () => T, what: string): T => {
    try {
      return decode()
    } catch (cause) {
      throw new WorkerUnavailableError(`risposta del worker non valida (${what})`, { cause })
    }
  }
  return {
    async runs(broadcastIds, options = {}) {
      const runs = new Map<string, BroadcastRunView>()
      // The contract takes up to 200 ids a request.
      for (let i = 0; i < broadcastIds.length; i += 200) {
        const request = BroadcastRunsRequestContract.encode({
          version: 1,
          broadcastIds: broadcastIds.slice(i, i + 200),
          ledger: options.ledger ?? false,
          ...(options.events ? { events: true } : {}),
        })
        const data = await ask(WorkerSubjects.broadcastRuns, request, 'avanzamento degli invii')
        const reply = decoded(() => BroadcastRunsReplyContract.decode(data), 'avanzamento degli invii')
        if (!reply.ok) throw new WorkerUnavailableError(`il worker non ha potuto leggere gli invii: ${reply.error.code}`)
        for (const run of reply.runs) runs.set(run.broadcastId, run)
      }
      return runs
    },
    async failures(broadcastId, page) {
      const request = BroadcastFailuresRequestContract.encode({ version: 1, broadcastId, limit: page.limit, ...(page.after !== undefined ? { after: page.after } : {}) })
      const data = await ask(WorkerSubjects.broadcastFailures, request, 'invii non riusciti')
      const reply = decoded(() => BroadcastFailuresReplyContract.decode(data), 'invii non riusciti')
      if (!reply.ok) throw new WorkerUnavailableError(`il worker non ha potuto leggere gli invii non riusciti: ${reply.error.code}`)
      return { failures: reply.failures, next: reply.next }
    },
    async emergencyRun(alertId) {
      const data = await ask(WorkerSubjects.emergencyRun, EmergencyRunRequestContract.encode({ version: 1, alertId }), "cronologia dell'allerta")
      const reply = decoded(() => EmergencyRunReplyContract.decode(data), "cronologia dell'allerta")
      if (!reply.ok) throw new WorkerUnavailableError(`il worker non ha potuto leggere l'allerta: ${reply.error.code}`)
      return reply
    },
  }
}
