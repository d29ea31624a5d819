import { AudiencePageReplyContract, AudiencePageRequestContract, Subjects, type AudiencePageReply, type AudiencePageRequest } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import { headers, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { completeSnapshot, findSnapshot, lockSnapshot, materializeSnapshot, snapshotPage, type AudienceFilters } from '../repositories/audience-snapshot.repository.js'
import type { SendChannel, SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'

/** A request that cannot be answered with a page; replied with NATS service-error headers. */
export class AudienceRequestError extends Error {
  constructor(
    readonly code: 'BAD_REQUEST' | 'UNKNOWN_TENANT' | 'UNKNOWN_TOPIC' | 'SNAPSHOT_MISMATCH' | 'BAD_CURSOR',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'AudienceRequestError'
  }
}

/** Header names of the NATS service-API error convention, read by the requester. */
export const ServiceErrorHeaders = { code: 'Nats-Service-Error-Code', message: 'Nats-Service-Error' } as const

const sorted = <T extends string>(list: readonly T[] | undefined) => (list && list.length > 0 ? [...new Set(list)].sort() : null)

export function encodeCursor(position: number): string {
  return Buffer.from(`p:${position}`).toString('base64url')
}

export function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0
  const match = /^p:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString())
  if (!match) throw new AudienceRequestError('BAD_CURSOR', 'the cursor was not issued by this service')
  return Number(match[1])
}

export interface AudienceDeps {
  db: Kysely<SubscriptionsDatabase>
  profiles: ReadonlyMap<string, TenantProfile>
  clock: () => Date
  /** A background write of a snapshot's rest failed (the next page request writes it). */
  onBackgroundError?: (error: unknown) => void
}

/** The filters of a page or count request, checked against the tenant's profile. */
export function audienceFiltersOf(
  profiles: ReadonlyMap<string, TenantProfile>,
  request: Pick<AudiencePageRequest, 'tenant' | 'topics' | 'languages' | 'channels' | 'unansweredPoll'>,
): { profile: TenantProfile; filters: AudienceFilters } {
  const profile = profiles.get(request.tenant)
  if (!profile) throw new AudienceRequestError('UNKNOWN_TENANT', `unknown tenant ${request.tenant}`)
  const unknown = request.topics.filter((t) => !profile.hasTopic(t))
  if (unknown.length > 0) throw new AudienceRequestError('UNKNOWN_TOPIC', `unknown topics: ${unknown.join(', ')}`)
  const filters: AudienceFilters = {
    topics: profile.chosenTopics(request.topics),
    everyone: request.topics.some((t) => profile.isAlwaysOn(t)),
    languages: sorted(request.languages),
    channels: sorted<SendChannel>(request.channels),
    unansweredPoll: request.unansweredPoll ?? null,
  }
  return { profile, filters }
}

/** Answers a request with the NATS service-error headers and an empty body. */
export function respondServiceError(msg: Msg, code: string, message: string): void {
  const h = headers()
  h.set(ServiceErrorHeaders.code, code)
  h.set(ServiceErrorHeaders.message, message)
  msg.respond(new Uint8Array(), { headers: h })
}

/** Answers one page request: the first request of a snapshot id materializes it. */
export async function audiencePage(deps: AudienceDeps, request: AudiencePageRequest): Promise<AudiencePageReply> {
  const { filters } = audienceFiltersOf(deps.profiles, request)
  const canonical = JSON.stringify({
    topics: [...request.topics].sort(),
    languages: filters.languages,
    channels: filters.channels,
    // Absent from snapshots taken before polls existed: their canonical form stays the same.
    ...(filters.unansweredPoll ? { unansweredPoll: filters.unansweredPoll } : {}),
  })
  const after = decodeCursor(request.after)

  const complete = () =>
    deps.db.transaction().execute(async (trx) => {
      await lockSnapshot(trx, request.tenant, request.snapshotId)
      await completeSnapshot(trx, request.tenant, request.snapshotId, filters)
    })
  const { total, whole } = await deps.db.transaction().execute(async (trx) => {
    let snapshot = await findSnapshot(trx, request.tenant, request.snapshotId)
    if (!snapshot) {
      await lockSnapshot(trx, request.tenant, request.snapshotId)
      snapshot = await findSnapshot(trx, request.tenant, request.snapshotId)
      if (!snapshot) {
        const taken = await materializeSnapshot(trx, request.tenant, request.snapshotId, filters, canonical, deps.clock(), after + request.limit + 1)
        return { total: taken.total, whole: taken.complete }
      }
    }
    if (snapshot.filters !== canonical) {
      throw new AudienceRequestError('SNAPSHOT_MISMATCH', `snapshot ${request.snapshotId} was taken with other filters`)
    }
    return { total: snapshot.total, whole: snapshot.complete }
  })
  if (!whole) {
    // The first page's members are written down; a later page needs the rest. Writing it starts
    // now, and a request for a later page waits for it (or does it, after a crash).
    if (after === 0) complete().catch((error: unknown) => deps.onBackgroundError?.(error))
    else await complete()
  }

  // One row more than asked tells whether another page follows.
  const rows = await snapshotPage(deps.db, request.tenant, request.snapshotId, after, request.limit + 1)
  const page = rows.slice(0, request.limit)
  const last = page.at(-1)
  return {
    version: 1,
    recipients: page.map((r) => ({ subscriberId: r.subscriberId, phone: r.phone, channel: r.channel, language: r.language })),
    ...(rows.length > request.limit && last ? { next: encodeCursor(last.position) } : {}),
    total,
  }
}

/**
 * Serves `subscriptions.audience.page` (request/reply) in a queue group, so instances share
 * the load. Errors are answered with service-error headers and an empty body.
 */
export function serveAudience(nc: NatsConnection, deps: AudienceDeps, logger: Logger): Subscription {
  const respondError = respondServiceError
  return nc.subscribe(Subjects.audiencePage, {
    queue: 'subscriptions',
    callback: (error, msg) => {
      if (error) {
        logger.error({ err: error }, 'audience subscription failed')
        return
      }
      void (async () => {
        let request: AudiencePageRequest
        try {
          request = AudiencePageRequestContract.decode(msg.data)
        } catch (cause) {
          respondError(msg, 'BAD_REQUEST', (cause as Error).message)
          return
        }
        try {
          const reply = await audiencePage({ onBackgroundError: (err) => logger.warn({ err, tenant: request.tenant, snapshotId: request.snapshotId }, 'audience snapshot not completed yet; the next page will'), ...deps }, request)
          msg.respond(AudiencePageReplyContract.encode(reply))
        } catch (failure) {
          if (failure instanceof AudienceRequestError) {
            respondError(msg, failure.code, failure.message)
            return
          }
          logger.error({ err: failure, tenant: request.tenant, snapshotId: request.snapshotId }, 'audience page failed')
          respondError(msg, 'INTERNAL', 'the page could not be read; retry')
        }
      })()
    },
  })
}
