import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The session cookie: `__Host-` prefixed when secure (no Domain, Path=/, Secure: the browser
 * refuses it from a sub-domain or over http), HttpOnly, SameSite=Lax (the provider's redirect
 * back is a top-level GET, which Lax lets through).
 */
export function sessionCookies(secure: boolean) {
  const prefix = secure ? '__Host-' : ''
  const base: CookieSerializeOptions = { httpOnly: true, sameSite: 'lax', path: '/', secure }
  const session = `${prefix}banditore_session`
  /**
   * One sign-in cookie per sign-in under way, named after its `state`: two tabs whose session
   * ended both start a sign-in, and neither overwrites the other's (the provider sends each back
   * with its own state).
   */
  const signIn = (state: string) => `${prefix}banditore_sign_in_${state.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 43)}`
  return {
    session,
    read: (request: FastifyRequest, name: string): string | undefined => request.cookies[name],
    setSession: (reply: FastifyReply, value: string) => reply.setCookie(session, value, base),
    clearSession: (reply: FastifyReply) => reply.clearCookie(session, base),
    /** The sealed sign-in state, for the ten minutes a person may take at the provider's login page. */
    setSignIn: (reply: FastifyReply, state: string, value: string) => reply.setCookie(signIn(state), value, { ...base, maxAge: 600 }),
    readSignIn: (request: FastifyRequest, state: string): string | undefined => request.cookies[signIn(state)],
    clearSignIn: (reply: FastifyReply, state: string) => reply.clearCookie(signIn(state), base),
  }
}

export type SessionCookies = ReturnType<typeof sessionCookies>
