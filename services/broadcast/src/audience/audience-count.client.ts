import { Requests, type AudienceCount, type AudienceCountReply, type AudienceCountRequest } from '@banditore/contracts'
import type { NatsConnection } from '@nats-io/transport-node'

/** An audience count with, for each topic asked, who receives it. */
export type AudienceCountByTopic = AudienceCount & { byTopic: Record<string, number> }

/** Counts who a set of topics reaches, per channel and language. */
export interface AudienceCounter {
  count(tenant: string, topics: readonly string[], languages?: readonly string[]): Promise<AudienceCount>
  /** The same count, plus each topic's own subscribers (the dashboard). */
  countByTopic(tenant: string, topics: readonly string[]): Promise<AudienceCountByTopic>
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

/** Answers are cached this long per filter, so typing in the editor does not ask each time. */
const CACHE_MS = 15_000

/**
 * Counts an audience with the subscriptions service's count request
 * (`subscriptions.audience.count`): the same filters and eligibility as a broadcast's audience
 * pages, counted there with aggregates, so no snapshot is taken and no phone number travels.
 */
export function createAudienceCounter({ nc, timeoutMs, clock = () => Date.now() }: { nc: NatsConnection; timeoutMs: number; clock?: () => number }): AudienceCounter {
  const kind = Requests.audienceCount

  const ask = async (request: AudienceCountRequest): Promise<AudienceCountReply> => {
    try {
      const msg = await nc.request(kind.subject, kind.request.encode(request), { timeout: timeoutMs })
      const error = msg.headers?.get('Nats-Service-Error')
      if (error) throw new AudienceUnavailableError(`il servizio iscrizioni ha rifiutato il conteggio: ${error}`)
      return kind.reply.decode(msg.data)
    } catch (cause) {
      if (cause instanceof AudienceUnavailableError) throw cause
      throw new AudienceUnavailableError('il servizio iscrizioni non risponde: conteggio non disponibile', { cause })
    }
  }
  const countOf = ({ total, byChannel, byLanguage, byChannelAndLanguage }: AudienceCountReply): AudienceCount => ({ total, byChannel, byLanguage, byChannelAndLanguage })

  /** A short cache per filter; a failed answer is forgotten at once. */
  const memo = <T>() => {
    const cache = new Map<string, { at: number; value: Promise<T> }>()
    return (key: string, load: () => Promise<T>): Promise<T> => {
      const now = clock()
      for (const [k, entry] of cache) if (now - entry.at > CACHE_MS) cache.delete(k)
      const hit = cache.get(key)
      if (hit) return hit.value
      const value = load()
      cache.set(key, { at: now, value })
      value.catch(() => cache.delete(key))
      return value
    }
  }
  const counts = memo<AudienceCount>()
  const topicCounts = memo<AudienceCountByTopic>()
  const filtersOf = (tenant: string, topics: readonly string[], languages?: readonly string[]) => {
    const sortedLanguages = languages && languages.length > 0 ? [...new Set(languages)].sort() : undefined
    const request: AudienceCountRequest = { version: 1, tenant, topics: [...new Set(topics)].sort(), ...(sortedLanguages ? { languages: sortedLanguages } : {}) }
    return { request, key: JSON.stringify({ tenant, topics: request.topics, languages: sortedLanguages ?? null }) }
  }

  return {
    async count(tenant, topics, languages) {
      const { request, key } = filtersOf(tenant, topics, languages)
      return await counts(key, async () => countOf(await ask(request)))
    },
    async countByTopic(tenant, topics) {
      const { request, key } = filtersOf(tenant, topics)
      return await topicCounts(key, async () => {
        const reply = await ask({ ...request, byTopic: true })
        if (!reply.byTopic) throw new AudienceUnavailableError('il servizio iscrizioni non ha contato gli iscritti per tema')
        return { ...countOf(reply), byTopic: reply.byTopic }
      })
    },
  }
}
