import { createHash } from 'node:crypto'
import { AudiencePageReplyContract, AudiencePageRequestContract, Subjects, type AudienceCount } from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'

/** Counts who a set of topics reaches, per channel and language. */
export interface AudienceCounter {
  count(tenant: string, topics: readonly string[], languages?: readonly string[]): Promise<AudienceCount>
}

/** The subscriptions service did not answer, or refused the request. */
export class AudienceUnavailableError extends Error {
  readonly code = 'AUDIENCE_UNAVAILABLE'
  readonly statusCode = 503
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'AudienceUnavailableError'
  }
}

const PAGE = 5000
/** Snapshots are reused for this long, so typing in the editor does not take a new one each time. */
const BUCKET_MS = 60_000
/** Answers are cached this long per filter. */
const CACHE_MS = 15_000

/**
 * Counts an audience through the subscriptions service's own audience pages
 * (`subscriptions.audience.page`): the same filters a broadcast gets, so the count is what a send
 * would reach. Snapshots are keyed by filter and minute (`console:` ids), so repeated previews
 * reuse one. A dedicated count request in the subscriptions service would spare the pages; until
 * then this walks them (5,000 recipients a page).
 */
export function createAudienceCounter({ nc, timeoutMs, clock = () => Date.now() }: { nc: NatsConnection; timeoutMs: number; clock?: () => number }): AudienceCounter {
  const cache = new Map<string, { at: number; value: Promise<AudienceCount> }>()

  const walk = async (tenant: string, topics: string[], languages: string[] | undefined, key: string): Promise<AudienceCount> => {
    const bucket = Math.floor(clock() / BUCKET_MS)
    const snapshotId = `console:${createHash('sha256').update(`${key}|${bucket}`).digest('hex').slice(0, 32)}`
    const count: AudienceCount = { total: 0, byChannel: { whatsapp: 0, sms: 0 }, byLanguage: {}, byChannelAndLanguage: {} }
    let after: string | undefined
    do {
      const request = AudiencePageRequestContract.encode({
        version: 1,
        tenant,
        snapshotId,
        topics,
        ...(languages ? { languages } : {}),
        ...(after ? { after } : {}),
        limit: PAGE,
      })
      let reply
      try {
        const msg = await nc.request(Subjects.audiencePage, request, { timeout: timeoutMs })
        const error = msg.headers?.get('Nats-Service-Error')
        if (error) throw new AudienceUnavailableError(`il servizio iscrizioni ha rifiutato il conteggio: ${error}`)
        reply = AudiencePageReplyContract.decode(msg.data)
      } catch (cause) {
        if (cause instanceof AudienceUnavailableError) throw cause
        throw new AudienceUnavailableError('il servizio iscrizioni non risponde: conteggio non disponibile', { cause })
      }
      for (const r of reply.recipients) {
        count.total++
        count.byChannel[r.channel]++
        count.byLanguage[r.language] = (count.byLanguage[r.language] ?? 0) + 1
        const both = `${r.channel}:${r.language}`
        count.byChannelAndLanguage[both] = (count.byChannelAndLanguage[both] ?? 0) + 1
      }
      after = reply.next
    } while (after)
    return count
  }

  return {
    async count(tenant, topics, languages) {
      const sortedTopics = [...new Set(topics)].sort()
      const sortedLanguages = languages && languages.length > 0 ? [...new Set(languages)].sort() : undefined
      const key = JSON.stringify({ tenant, topics: sortedTopics, languages: sortedLanguages ?? null })
      const now = clock()
      for (const [k, entry] of cache) if (now - entry.at > CACHE_MS) cache.delete(k)
      const hit = cache.get(key)
      if (hit) return await hit.value
      const value = walk(tenant, sortedTopics, sortedLanguages, key)
      cache.set(key, { at: now, value })
      value.catch(() => cache.delete(key))
      return await value
    },
  }
}
