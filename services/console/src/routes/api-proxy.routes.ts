import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { FastifyInstance } from 'fastify'
import type { SessionCookies } from '../session/session-cookies.js'
import { SessionEndedError, type SessionStore } from '../session/session-store.js'
import { checkCsrf } from './auth.routes.js'
import { ConsoleProblems, SESSION_EXPIRED_DETAIL, sendProblem } from './problem.js'

export interface ApiProxyDeps {
  sessions: SessionStore
  cookies: SessionCookies
  publicUrl: string
  /** `/api/<name>/*` goes to `<url>/*`. */
  upstreams: Record<string, string>
  /** How long an upstream may take to answer with headers, ms (streams then run as long as they last). */
  headersTimeoutMs?: number
}

// Request headers the APIs read; everything else (cookies first) stays at the console.
const FORWARDED_REQUEST = ['accept', 'accept-language', 'content-type', 'x-banditore-tenant', 'last-event-id', 'if-match', 'if-none-match', 'idempotency-key']
// Response headers the browser needs; hop-by-hop and cookies are the console's own.
const FORWARDED_RESPONSE = ['content-type', 'cache-control', 'content-disposition', 'etag', 'last-modified', 'location', 'retry-after', 'x-request-id', 'x-total-count']

/**
 * `/api/broadcast/*`, `/api/subscriptions/*` and `/api/moderation/*`: the staff APIs behind the console's origin,
 * called with the person's access token. Bodies go through as bytes; answers (problem+json,
 * CSV downloads, server-sent event streams) are streamed back as they arrive.
 */
export function registerApiProxy(app: FastifyInstance, deps: ApiProxyDeps): void {
  const { sessions, cookies } = deps
  const headersTimeoutMs = deps.headersTimeoutMs ?? 30_000

  // Calls in flight (event streams stay open for as long as a page watches): a closing console
  // ends them, so shutdown does not wait on a browser that never leaves.
  const inFlight = new Set<AbortController>()
  app.addHook('preClose', async () => {
    for (const call of inFlight) call.abort()
  })

  void app.register(async (api) => {
    // Bytes in, bytes out: the APIs validate their own bodies.
    api.removeAllContentTypeParsers()
    // Up to 16 MiB: list imports upload CSV files of tens of thousands of rows.
    api.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 16 * 1024 * 1024 }, (_request, body, done) => done(null, body))

    for (const [name, base] of Object.entries(deps.upstreams)) {
      const prefix = `/api/${name}`
      api.all(`${prefix}/*`, async (request, reply) => {
        const session = await sessions.touch(cookies.read(request, cookies.session))
        if (!session) {
          cookies.clearSession(reply)
          return sendProblem(reply, 401, ConsoleProblems.sessionExpired, SESSION_EXPIRED_DETAIL)
        }
        if (!checkCsrf(request, reply, session, deps.publicUrl)) return reply

        let accessToken: string
        try {
          accessToken = await sessions.accessToken(session)
        } catch (error) {
          if (!(error instanceof SessionEndedError)) throw error
          cookies.clearSession(reply)
          return sendProblem(reply, 401, ConsoleProblems.sessionExpired, SESSION_EXPIRED_DETAIL)
        }

        const target = new URL(request.url.slice(prefix.length) || '/', base)
        const headers = new Headers({ authorization: `Bearer ${accessToken}` })
        for (const header of FORWARDED_REQUEST) {
          const value = request.headers[header]
          if (typeof value === 'string') headers.set(header, value)
        }
        if (request.ip) headers.set('x-forwarded-for', request.ip)

        // Ends the upstream call when the browser goes away (an event stream left open otherwise).
        const abort = new AbortController()
        inFlight.add(abort)
        let browserGone = false
        reply.raw.once('close', () => {
          browserGone = !reply.raw.writableFinished
          inFlight.delete(abort)
          abort.abort()
        })
        const timer = setTimeout(() => abort.abort(new Error('upstream did not answer in time')), headersTimeoutMs)
        let upstream: Response
        try {
          const body = request.body instanceof Buffer && request.body.length > 0 ? request.body : undefined
          upstream = await fetch(target, { method: request.method, headers, body, signal: abort.signal, redirect: 'manual' })
        } catch (error) {
          // The browser left before the API answered: nobody to tell.
          if (browserGone) return reply
          request.log.warn({ err: error, upstream: name }, 'staff API unreachable')
          return sendProblem(reply, 502, ConsoleProblems.upstream, 'Il servizio non risponde in questo momento. Riprova tra poco: i dati inseriti non sono andati persi.')
        } finally {
          clearTimeout(timer)
        }

        reply.status(upstream.status)
        for (const header of FORWARDED_RESPONSE) {
          const value = upstream.headers.get(header)
          if (value !== null) reply.header(header, value)
        }
        if (!upstream.headers.has('cache-control')) reply.header('cache-control', 'no-store')
        if (!upstream.body || request.method === 'HEAD') return reply.send()
        if (upstream.headers.get('content-type')?.startsWith('text/event-stream')) {
          // Reverse proxies in front of the console must not buffer the stream either.
          reply.header('x-accel-buffering', 'no')
        }
        return reply.send(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>))
      })
    }
  })
}
