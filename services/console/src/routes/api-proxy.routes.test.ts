import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import fastifyCookie from '@fastify/cookie'
import Fastify from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { sessionCookies } from '../session/session-cookies.js'
import { SessionEndedError, type SessionStore, type StaffSession } from '../session/session-store.js'
import { registerApiProxy } from './api-proxy.routes.js'

const SESSION: StaffSession = { id: 'h', subject: 'operator.corbetta', name: 'Operatore', email: null, grants: [{ tenant: 'corbetta', role: 'operator' }], csrfToken: 'csrf-token', idleExpiresAt: new Date() }

// The session store is the I/O edge here (PostgreSQL); the upstream is a real HTTP server.
function sessionsWith(options: { ended?: boolean } = {}): SessionStore {
  return {
    create: async () => ({ cookie: 'c', session: SESSION }),
    touch: async (cookie) => (cookie === 'valid' ? SESSION : undefined),
    accessToken: async () => {
      if (options.ended) throw new SessionEndedError('refresh refused')
      return 'person-access-token'
    },
    end: async () => null,
  }
}

const closers: Array<() => Promise<unknown>> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) {
    await close()
  }
})

async function upstreamServer(handler: (url: string, headers: IncomingHttpHeaders, body: string, res: ServerResponse) => void) {
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => handler(req.url ?? '', req.headers, body, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  closers.push(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  })
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function consoleOver(upstream: string, sessions = sessionsWith()) {
  // Node's fetch keeps an aborted event stream's socket half-open; the test's own client must not hold close().
  const app = Fastify({ forceCloseConnections: true })
  await app.register(fastifyCookie)
  registerApiProxy(app, { sessions, cookies: sessionCookies(false), publicUrl: 'http://127.0.0.1:3300', upstreams: { broadcast: upstream } })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  closers.push(() => app.close())
  return address
}

describe('API proxy', () => {
  it('forwards the call with the person\'s token and the tenant, never the cookie', async () => {
    let seen: { url: string; headers: IncomingHttpHeaders; body: string } | undefined
    const upstream = await upstreamServer((url, headers, body, res) => {
      seen = { url, headers, body }
      res.writeHead(201, { 'content-type': 'application/json', 'set-cookie': 'x=y' }).end('{"id":"b1"}')
    })
    const origin = await consoleOver(upstream)
    const response = await fetch(`${origin}/api/broadcast/v1/broadcasts?x=1`, {
      method: 'POST',
      headers: { cookie: 'banditore_session=valid', 'x-csrf-token': 'csrf-token', 'x-banditore-tenant': 'corbetta', 'content-type': 'application/json' },
      body: '{"topics":["eventi"]}',
    })
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ id: 'b1' })
    expect(response.headers.get('set-cookie')).toBeNull()
    expect(seen?.url).toBe('/v1/broadcasts?x=1')
    expect(seen?.body).toBe('{"topics":["eventi"]}')
    expect(seen?.headers).toMatchObject({ authorization: 'Bearer person-access-token', 'x-banditore-tenant': 'corbetta', 'content-type': 'application/json' })
    expect(seen?.headers.cookie).toBeUndefined()
    expect(seen?.headers['x-csrf-token']).toBeUndefined()
  })

  it('streams a CSV download byte for byte, with its type and filename, as the API writes it', async () => {
    const first = '\uFEFFNumero di telefono,Canale,Codice motivo,Motivo,Data e ora (UTC)\r\n'
    const second = '+393471110001,WhatsApp,provider:131026,"rifiutato dal fornitore: messaggio non consegnabile, città ""x""",2026-12-08T10:00:00.000Z\r\n'
    let finish: (() => void) | undefined
    const upstream = await upstreamServer((_url, _headers, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="non-riusciti-b1.csv"' })
      res.write(first)
      // The rest only once the browser has the first part: the console must not buffer the file.
      finish = () => res.end(second)
    })
    const origin = await consoleOver(upstream)
    const response = await fetch(`${origin}/api/broadcast/v1/broadcasts/b1/failures.csv`, { headers: { cookie: 'banditore_session=valid', 'x-banditore-tenant': 'corbetta' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="non-riusciti-b1.csv"')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const reader = (response.body as ReadableStream<Uint8Array>).getReader()
    const chunks: Uint8Array[] = []
    const expected = Buffer.byteLength(first)
    while (chunks.reduce((n, c) => n + c.length, 0) < expected) {
      const { value, done } = await reader.read()
      if (done) throw new Error('the stream ended before the first part')
      chunks.push(value)
    }
    finish?.()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      chunks.push(value)
    }
    expect(Buffer.concat(chunks).toString('utf8')).toBe(first + second)
  })

  it('answers 401 problem+json without a session or when the token cannot be refreshed, 403 without the CSRF token', async () => {
    const upstream = await upstreamServer((_u, _h, _b, res) => res.writeHead(200).end('{}'))
    const origin = await consoleOver(upstream)
    const none = await fetch(`${origin}/api/broadcast/v1/broadcasts`)
    expect(none.status).toBe(401)
    expect(none.headers.get('content-type')).toContain('application/problem+json')
    expect(await none.json()).toMatchObject({ status: 401, code: 'SESSION_EXPIRED', title: 'Sessione scaduta' })
    const csrf = await fetch(`${origin}/api/broadcast/v1/broadcasts`, { method: 'DELETE', headers: { cookie: 'banditore_session=valid' } })
    expect(csrf.status).toBe(403)
    const foreign = await fetch(`${origin}/api/broadcast/v1/broadcasts`, { method: 'POST', headers: { cookie: 'banditore_session=valid', 'x-csrf-token': 'csrf-token', origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    const ended = await consoleOver(upstream, sessionsWith({ ended: true }))
    const refused = await fetch(`${ended}/api/broadcast/v1/broadcasts`, { headers: { cookie: 'banditore_session=valid' } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('set-cookie')).toContain('banditore_session=;')
  })

  it('streams server-sent events as they come, and ends the upstream call when the browser leaves', async () => {
    let release: () => void = () => undefined
    const released = new Promise<void>((resolve) => (release = resolve))
    let upstreamClosed = false
    const upstream = await upstreamServer((_u, _h, _b, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
      res.write('event: progress\ndata: {"sent":1}\n\n')
      res.on('close', () => (upstreamClosed = true))
      void released.then(() => res.write('event: progress\ndata: {"sent":2}\n\n'))
    })
    const origin = await consoleOver(upstream)
    const abort = new AbortController()
    const response = await fetch(`${origin}/api/broadcast/v1/broadcasts/b1/progress/stream`, { headers: { cookie: 'banditore_session=valid' }, signal: abort.signal })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const reader = response.body!.getReader()
    // The first event arrives while the upstream still holds the second: nothing is buffered.
    const first = new TextDecoder().decode((await reader.read()).value)
    expect(first).toContain('"sent":1')
    release()
    const second = new TextDecoder().decode((await reader.read()).value)
    expect(second).toContain('"sent":2')
    abort.abort()
    await expect.poll(() => upstreamClosed, { timeout: 5000 }).toBe(true)
  })

  it('answers 502 in Italian when the API does not answer', async () => {
    const origin = await consoleOver('http://127.0.0.1:59998')
    const response = await fetch(`${origin}/api/broadcast/v1/broadcasts`, { headers: { cookie: 'banditore_session=valid' } })
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', title: 'Servizio non raggiungibile' })
  })
})
