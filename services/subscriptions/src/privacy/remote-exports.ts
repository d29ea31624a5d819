import {
  ModerationPrivacyExportReplyContract,
  PrivacySubjects,
  PrivacyExportRequestContract,
  WorkerPrivacyExportReplyContract,
  type ModerationPrivacyExport,
  type WorkerPrivacyExport,
} from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'

/** What the other services hold of a number, for a privacy export. */
export interface RemoteHoldings {
  sends: WorkerPrivacyExport['sends']
  optOutCache: WorkerPrivacyExport['optOut']
  pacing: WorkerPrivacyExport['pacing']
  moderation: ModerationPrivacyExport
}

export interface RemoteExports {
  gather(tenant: string, phone: string): Promise<RemoteHoldings>
}

/** A service did not answer, or refused: the export would be incomplete, so none is given. */
export class ExportIncompleteError extends Error {
  readonly code = 'EXPORT_INCOMPLETE'
  readonly statusCode = 503
  constructor(service: string, options?: { cause?: unknown }) {
    super(`esportazione non completa: il servizio ${service} non ha risposto; riprovare tra poco`, options)
    this.name = 'ExportIncompleteError'
  }
}

/** At most this many pages of sends (1,000 each) are gathered for one number. */
const MAX_SEND_PAGES = 1000

/**
 * Asks the worker (its sends, page by page, its opt-out cache and pacing) and moderation (sender
 * history, review items) over NATS request/reply, at once. Either one failing fails the export:
 * a privacy officer must never hand a citizen a partial answer thinking it complete.
 */
export function createRemoteExports(nc: NatsConnection, timeoutMs = 10_000): RemoteExports {
  const ask = async <T>(service: string, subject: string, request: object, decode: (data: Uint8Array) => { ok: true; data: T } | { ok: false }): Promise<T> => {
    let reply
    try {
      const msg = await nc.request(subject, PrivacyExportRequestContract.encode(request as never), { timeout: timeoutMs })
      reply = decode(msg.data)
    } catch (cause) {
      throw new ExportIncompleteError(service, { cause })
    }
    if (!reply.ok) throw new ExportIncompleteError(service)
    return reply.data
  }
  const worker = async (tenant: string, phone: string) => {
    const first = await ask('invii (worker)', PrivacySubjects.workerExport, { version: 1, tenant, phone }, (d) => WorkerPrivacyExportReplyContract.decode(d))
    const sends = [...first.sends]
    let next = first.nextAfterSendId
    for (let page = 1; next !== undefined && page < MAX_SEND_PAGES; page++) {
      const more = await ask('invii (worker)', PrivacySubjects.workerExport, { version: 1, tenant, phone, afterSendId: next }, (d) => WorkerPrivacyExportReplyContract.decode(d))
      sends.push(...more.sends)
      next = more.nextAfterSendId
    }
    return { sends, optOutCache: first.optOut, pacing: first.pacing }
  }
  return {
    async gather(tenant, phone) {
      const [sent, moderation] = await Promise.all([
        worker(tenant, phone),
        ask('moderazione', PrivacySubjects.moderationExport, { version: 1, tenant, phone }, (d) => ModerationPrivacyExportReplyContract.decode(d)),
      ])
      return { ...sent, moderation }
    },
  }
}
