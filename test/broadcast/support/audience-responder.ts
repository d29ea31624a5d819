import {
  AudiencePageReplyContract,
  AudiencePageRequestContract,
  Subjects,
  type AudienceRecipient,
} from '@banditore/contracts'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'

/** A subscriber of the test audience: who, on which topics. */
export interface AudienceMember extends AudienceRecipient {
  tenant: string
  topics: string[]
}

export interface AudienceResponder {
  /** Adds subscribers (only future snapshots see them, as with subscriptions). */
  add(members: readonly AudienceMember[]): void
  /** Pages served, per snapshot. */
  pagesServed(snapshotId: string): number
  stop(): Promise<void>
}

/**
 * The audience side of subscriptions, for tests and the benchmark: answers
 * `subscriptions.audience.page` over an in-memory subscriber table with the real contracts. The
 * first request for a snapshot id freezes the matching subscribers, as subscriptions does; the
 * cursor is the position in that frozen list.
 */
export function startAudienceResponder(nc: NatsConnection, members: readonly AudienceMember[] = []): AudienceResponder {
  const table: AudienceMember[] = [...members]
  const snapshots = new Map<string, AudienceRecipient[]>()
  const served = new Map<string, number>()
  const sub: Subscription = nc.subscribe(Subjects.audiencePage, {
    callback: (error, msg) => {
      if (error) return
      const request = AudiencePageRequestContract.decode(msg.data)
      let snapshot = snapshots.get(request.snapshotId)
      if (!snapshot) {
        snapshot = table
          .filter((m) => m.tenant === request.tenant && m.topics.some((t) => request.topics.includes(t)))
          .filter((m) => !request.languages || request.languages.includes(m.language))
          .filter((m) => !request.channels || request.channels.includes(m.channel))
          .map(({ subscriberId, phone, channel, language }) => ({ subscriberId, phone, channel, language }))
        snapshots.set(request.snapshotId, snapshot)
      }
      const start = request.after ? Number(request.after) : 0
      const end = Math.min(snapshot.length, start + request.limit)
      served.set(request.snapshotId, (served.get(request.snapshotId) ?? 0) + 1)
      msg.respond(
        AudiencePageReplyContract.encode({
          version: 1,
          recipients: snapshot.slice(start, end),
          ...(end < snapshot.length ? { next: String(end) } : {}),
          total: snapshot.length,
        }),
      )
    },
  })
  return {
    add: (more) => void table.push(...more),
    pagesServed: (snapshotId) => served.get(snapshotId) ?? 0,
    stop: async () => {
      sub.unsubscribe()
      await sub.closed
    },
  }
}

/** `count` members numbered from `from`: valid Italian mobile numbers, Italian, WhatsApp. */
export function audienceOf(
  tenant: string,
  count: number,
  options: { from?: number; channel?: 'whatsapp' | 'sms'; language?: string; topics?: string[] } = {},
): AudienceMember[] {
  const from = options.from ?? 0
  const prefix = options.channel === 'sms' ? '+39348' : '+39347'
  return Array.from({ length: count }, (_, i) => ({
    tenant,
    subscriberId: `00000000-0000-4000-8000-${String(from + i).padStart(12, '0')}`,
    phone: `${prefix}${String(from + i).padStart(7, '0')}`,
    channel: options.channel ?? 'whatsapp',
    language: options.language ?? 'it',
    topics: options.topics ?? ['avvisi'],
  }))
}
