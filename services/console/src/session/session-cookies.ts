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
  const signIn = `${prefix}banditore_sign_in`
  return {
    session,
    signIn,
    read: (request: FastifyRequest, name: string): string | undefined => request.cookies[name],
    setSession: (reply: FastifyReply, value: string) => reply.setCookie(session, value, base),
    clearSession: (reply: FastifyReply) => reply.clearCookie(session, base),
    /** The sealed sign-in state, for the ten minutes a person may take at the provider's login page. */
    setSignIn: (reply: FastifyReply, value: string) => reply.setCookie(signIn, value, { ...base, maxAge: 600 }),
    clearSignIn: (reply: FastifyReply) => reply.clearCookie(signIn, base),
  }
}

export type SessionCookies = ReturnType<typeof sessionCookies>
