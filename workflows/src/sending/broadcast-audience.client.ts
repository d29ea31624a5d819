import {
  AudiencePageReplyContract,
  AudiencePageRequestContract,
  Subjects,
  type AudiencePageReply,
  type AudiencePageRequest,
} from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'

/** Subscriptions did not answer, or answered outside the contract: retried by the activity. */
export class AudienceUnavailableError extends Error {
  readonly code = 'AUDIENCE_UNAVAILABLE'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AudienceUnavailableError'
  }
}

/**
 * One page of a broadcast's audience from subscriptions (NATS request/reply). The first request
 * for a snapshot id freezes the audience, so a page asked again with the same cursor is the
 * same page: the send ledger makes asking again harmless.
 */
export async function fetchAudiencePage(nc: NatsConnection, request: AudiencePageRequest, timeoutMs = 10_000): Promise<AudiencePageReply> {
  let data: Uint8Array
  try {
    data = (await nc.request(Subjects.audiencePage, AudiencePageRequestContract.encode(request), { timeout: timeoutMs })).data
  } catch (cause) {
    throw new AudienceUnavailableError(`no audience page for snapshot ${request.snapshotId}`, { cause })
  }
  try {
    return AudiencePageReplyContract.decode(data)
  } catch (cause) {
    throw new AudienceUnavailableError('the audience page violates its contract', { cause })
  }
}
