import { Requests, type RecurringOccurrenceReply, type RecurringOccurrenceRequest } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import { ApplicationFailure } from '@temporalio/activity'

export interface RecurringActivityDeps {
  nc: NatsConnection
  logger: Logger
  /** How long the staff API may take to answer, ms. */
  timeoutMs?: number
}

/** What the occurrence workflow is told: run this broadcast, or send nothing. */
export type OccurrenceAnswer = Extract<RecurringOccurrenceReply, { ok: true }>

/**
 * The staff API owns recurring broadcasts and their approvals: at an occurrence's time the worker
 * asks it (NATS request/reply, Requests.recurringOccurrence) what to send. It never reads or
 * writes the broadcast schema. No answer, or `ok: false`, is an outage: thrown as it is, so
 * Temporal retries; an answer outside the contract is a bug: not retried.
 */
export function createRecurringActivities(deps: RecurringActivityDeps) {
  const { subject, request: requestContract, reply: replyContract } = Requests.recurringOccurrence
  return {
    async materializeOccurrence(request: RecurringOccurrenceRequest): Promise<OccurrenceAnswer> {
      const data = (await deps.nc.request(subject, requestContract.encode(request), { timeout: deps.timeoutMs ?? 10_000 })).data
      let reply: RecurringOccurrenceReply
      try {
        reply = replyContract.decode(data)
      } catch (cause) {
        throw ApplicationFailure.nonRetryable(`the staff API answered outside the contract: ${cause instanceof Error ? cause.message : String(cause)}`, 'ContractError')
      }
      if (!reply.ok) throw new Error(`the staff API could not answer the occurrence: ${reply.error.code} ${reply.error.message}`)
      deps.logger.info({ tenant: request.tenant, seriesId: request.seriesId, at: request.scheduledAt, outcome: reply.outcome }, 'recurring occurrence answered')
      return reply
    },
  }
}
