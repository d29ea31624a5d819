import type { Logger, TenantDirectory } from '@banditore/platform'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IdentityProviderClient, PendingSignIn } from '../session/identity-provider.client.js'
import type { SessionCookies } from '../session/session-cookies.js'
import { sameSecret, seal, unseal, type SessionKeys } from '../session/session-crypto.js'
import type { SessionStore, StaffSession } from '../session/session-store.js'
import { ConsoleProblems, CSRF_DETAIL, SESSION_EXPIRED_DETAIL, sendProblem } from './problem.js'
import { messagePage } from './message-page.js'

export interface AuthRoutesDeps {
  provider: IdentityProviderClient
  sessions: SessionStore
  cookies: SessionCookies
  keys: SessionKeys
  tenants: TenantDirectory
  logger: Logger
  publicUrl: string
}

const SIGN_IN_CONTEXT = 'sign-in-state'
const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** Only a same-origin path may follow sign-in: `/broadcasts?x=1`, never `//evil`, `/\evil` or `https://…`. */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/'
  // Control characters (header splitting, browsers dropping tabs and newlines) and backslashes
  // (which browsers read as slashes) never come back from a redirect intact.
  if ([...value].some((c) => c.charCodeAt(0) < 0x20 || c === '\\') || value.length > 2000) return '/'
  try {
    const url = new URL(value, 'http://console.invalid')
    if (url.origin !== 'http://console.invalid') return '/'
    // Back to an /auth/ route would loop.
    if (url.pathname.startsWith('/auth/')) return '/'
    return `${url.pathname}${url.search}${url.hash}`
  } catch {
    return '/'
  }
}

/**
 * Refuses a mutating request that does not carry the session's CSRF token, or that comes from
 * another origin. Returns true when the request may go on.
 */
export function checkCsrf(request: FastifyRequest, reply: FastifyReply, session: StaffSession, publicUrl: string): boolean {
  if (!MUTATING.has(request.method)) return true
  const origin = request.headers.origin
  const header = request.headers['x-csrf-token']
  if ((origin !== undefined && origin !== publicUrl) || !sameSecret(typeof header === 'string' ? header : undefined, session.csrfToken)) {
    void sendProblem(reply, 403, ConsoleProblems.csrf, CSRF_DETAIL)
    return false
  }
  return true
}

/** The tenants a person may open: those of their grants, or every tenant for platform-wide grants. */
export function tenantsOf(session: StaffSession, tenants: TenantDirectory): Array<{ id: string; name: string }> {
  const all = tenants.all()
  if (session.grants.some((g) => g.tenant === '*')) return all.map((t) => ({ id: t.id, name: t.name }))
  const ids = [...new Set(session.grants.map((g) => g.tenant))]
  return ids.map((id) => ({ id, name: all.find((t) => t.id === id)?.name ?? id }))
}

export function registerAuthRoutes(app: FastifyInstance, deps: AuthRoutesDeps): void {
  const { provider, sessions, cookies, keys, logger } = deps
  const redirectUri = `${deps.publicUrl}/auth/callback`

  app.get<{ Querystring: { returnTo?: string } }>('/auth/login', async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo)
    let started: Awaited<ReturnType<IdentityProviderClient['beginSignIn']>>
    try {
      started = await provider.beginSignIn(returnTo)
    } catch (error) {
      request.log.error({ err: error }, 'identity provider unreachable at sign-in')
      return reply
        .status(503)
        .type('text/html; charset=utf-8')
        .send(messagePage('Accesso momentaneamente non disponibile', 'Il servizio di autenticazione del Comune non risponde. Riprova tra qualche minuto.', { href: `/auth/login?returnTo=${encodeURIComponent(returnTo)}`, label: 'Riprova' }))
    }
    cookies.setSignIn(reply, started.pending.state, seal(keys, JSON.stringify(started.pending), SIGN_IN_CONTEXT))
    return reply.header('cache-control', 'no-store').redirect(started.url.toString(), 302)
  })

  app.get('/auth/callback', async (request, reply) => {
    // The sign-in this callback finishes: the one whose state the provider sent back.
    const state = new URL(request.url, deps.publicUrl).searchParams.get('state') ?? ''
    const sealed = state ? cookies.readSignIn(request, state) : undefined
    if (state) cookies.clearSignIn(reply, state)
    const retry = { href: '/auth/login', label: 'Accedi di nuovo' }
    let pending: PendingSignIn
    try {
      if (!sealed) throw new Error('no sign-in state')
      pending = JSON.parse(unseal(keys, sealed, SIGN_IN_CONTEXT)) as PendingSignIn
    } catch {
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(messagePage('Accesso non completato', 'La procedura di accesso è scaduta o è stata avviata in un’altra finestra. Ricomincia dall’inizio.', retry))
    }
    const callbackUrl = new URL(request.url, deps.publicUrl)
    if (callbackUrl.searchParams.has('error')) {
      logger.info({ error: callbackUrl.searchParams.get('error') }, 'staff sign-in refused by the identity provider')
      return reply
        .status(403)
        .type('text/html; charset=utf-8')
        .send(messagePage('Accesso non completato', 'Il servizio di autenticazione non ha confermato l’accesso.', retry))
    }
    try {
      const person = await provider.finishSignIn(new URL(`${redirectUri}${callbackUrl.search}`), pending)
      // A session this browser still had ends: one browser, one session, a fresh id at each sign-in.
      const previous = await sessions.touch(cookies.read(request, cookies.session))
      if (previous) await sessions.end(previous)
      const { cookie, session } = await sessions.create(person)
      cookies.setSession(reply, cookie)
      logger.info({ subject: session.subject, grants: session.grants.length }, 'staff signed in')
      return reply.header('cache-control', 'no-store').redirect(pending.returnTo, 303)
    } catch (error) {
      request.log.warn({ err: error }, 'staff sign-in failed')
      return reply
        .status(400)
        .type('text/html; charset=utf-8')
        .send(messagePage('Accesso non completato', 'Non è stato possibile completare l’accesso. Riprova.', retry))
    }
  })

  app.get('/auth/session', async (request, reply) => {
    const session = await sessions.touch(cookies.read(request, cookies.session))
    if (!session) return sendProblem(reply, 401, ConsoleProblems.sessionExpired, SESSION_EXPIRED_DETAIL)
    return reply.header('cache-control', 'no-store').send({
      user: { subject: session.subject, name: session.name, email: session.email, grants: session.grants },
      csrfToken: session.csrfToken,
      tenants: tenantsOf(session, deps.tenants),
      idleExpiresAt: session.idleExpiresAt.toISOString(),
    })
  })

  app.post('/auth/logout', async (request, reply) => {
    const session = await sessions.touch(cookies.read(request, cookies.session))
    if (!session) {
      cookies.clearSession(reply)
      return reply.status(204).send()
    }
    if (!checkCsrf(request, reply, session, deps.publicUrl)) return reply
    const idToken = await sessions.end(session)
    cookies.clearSession(reply)
    logger.info({ subject: session.subject }, 'staff signed out')
    const logoutUrl = await provider.endSessionUrl(idToken).catch(() => undefined)
    return logoutUrl ? reply.header('cache-control', 'no-store').send({ logoutUrl }) : reply.status(204).send()
  })
}
