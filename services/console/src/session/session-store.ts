import type { Logger } from '@banditore/platform'
import { sql, type Kysely } from 'kysely'
import type { IdentityProviderClient, ProviderTokens, SignedInPerson } from './identity-provider.client.js'
import { hashSessionId, newCsrfToken, newSessionId, seal, unseal, type SessionKeys } from './session-crypto.js'
import type { ConsoleDatabase, SessionRow, StaffGrant } from './session.table.js'

/** A signed-in person as the console's routes see them. Tokens stay sealed until needed. */
export interface StaffSession {
  /** The stored (hashed) id. */
  id: string
  subject: string
  name: string
  email: string | null
  grants: StaffGrant[]
  csrfToken: string
  idleExpiresAt: Date
}

/** The session is gone: never existed, idle too long, signed out, or its refresh was refused. */
export class SessionEndedError extends Error {
  readonly code = 'SESSION_ENDED'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SessionEndedError'
  }
}

export interface SessionStore {
  /** Stores a new session; returns the cookie value (never stored as such). */
  create(person: SignedInPerson): Promise<{ cookie: string; session: StaffSession }>
  /** The session of a cookie, its idle expiry slid forward; undefined when missing or expired. */
  touch(cookie: string | undefined): Promise<StaffSession | undefined>
  /** A valid access token, refreshed with the refresh token when expired; ends the session when that fails. */
  accessToken(session: StaffSession): Promise<string>
  /** Ends a session; returns its ID token (for the provider's sign-out), if any. */
  end(session: StaffSession): Promise<string | null>
}

export interface SessionStoreDeps {
  db: Kysely<ConsoleDatabase>
  keys: SessionKeys
  provider: IdentityProviderClient
  logger: Logger
  idleMinutes: number
  /** Refresh this long before the access token's expiry, so a proxied call does not carry one about to lapse. */
  refreshSkewMs?: number
}

function toSession(row: SessionRow): StaffSession {
  return {
    id: row.id,
    subject: row.subject,
    name: row.name,
    email: row.email,
    grants: row.grants,
    csrfToken: row.csrf_token,
    idleExpiresAt: row.idle_expires_at,
  }
}

export function createSessionStore(deps: SessionStoreDeps): SessionStore {
  const { db, keys } = deps
  const idleMs = Math.round(deps.idleMinutes * 60_000)
  const skewMs = deps.refreshSkewMs ?? 30_000
  const idleExpiry = () => sql<Date>`now() + ${`${idleMs} milliseconds`}::interval`
  const sealed = (id: string, value: string | null) => (value === null ? null : seal(keys, value, id))

  const remove = (id: string) => db.deleteFrom('sessions').where('id', '=', id).execute()

  return {
    async create(person) {
      const cookie = newSessionId()
      const id = hashSessionId(keys, cookie)
      // Rows idle for a day are swept at each sign-in: nothing else reads them.
      await db.deleteFrom('sessions').where('idle_expires_at', '<', sql<Date>`now() - interval '1 day'`).execute()
      const row = await db
        .insertInto('sessions')
        .values({
          id,
          subject: person.subject,
          name: person.name,
          email: person.email,
          grants: JSON.stringify(person.grants),
          access_token: seal(keys, person.tokens.accessToken, id),
          access_token_expires_at: person.tokens.accessTokenExpiresAt,
          refresh_token: sealed(id, person.tokens.refreshToken),
          id_token: sealed(id, person.tokens.idToken),
          csrf_token: newCsrfToken(),
          idle_expires_at: idleExpiry(),
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      return { cookie, session: toSession(row) }
    },

    async touch(cookie) {
      if (!cookie || cookie.length > 100) return undefined
      const id = hashSessionId(keys, cookie)
      const row = await db
        .updateTable('sessions')
        .set({ last_seen_at: sql<Date>`now()`, idle_expires_at: idleExpiry() })
        .where('id', '=', id)
        .where('idle_expires_at', '>', sql<Date>`now()`)
        .returningAll()
        .executeTakeFirst()
      if (row) return toSession(row)
      // Idle too long: the session ends now, its tokens with it.
      const ended = await db.deleteFrom('sessions').where('id', '=', id).returning(['subject']).executeTakeFirst()
      if (ended) deps.logger.info({ subject: ended.subject, reason: 'idle' }, 'staff session ended')
      return undefined
    },

    async accessToken(session) {
      const current = await db.selectFrom('sessions').selectAll().where('id', '=', session.id).executeTakeFirst()
      if (!current) throw new SessionEndedError('the session has ended')
      if (!current.access_token_expires_at || current.access_token_expires_at.getTime() - skewMs > Date.now()) {
        return unseal(keys, current.access_token, session.id)
      }
      // Expired: one refresh per session across replicas (the row lock), the others then read
      // the token it stored. Providers that rotate refresh tokens refuse a second use of the old one.
      let refreshFailure: unknown
      const token = await db.transaction().execute(async (trx) => {
        const locked = await trx.selectFrom('sessions').selectAll().where('id', '=', session.id).forUpdate().executeTakeFirst()
        if (!locked) return undefined
        if (locked.access_token_expires_at && locked.access_token_expires_at.getTime() - skewMs > Date.now()) {
          return unseal(keys, locked.access_token, session.id)
        }
        if (!locked.refresh_token) return undefined
        let fresh: ProviderTokens
        try {
          fresh = await deps.provider.refresh(unseal(keys, locked.refresh_token, session.id))
        } catch (error) {
          refreshFailure = error
          return undefined
        }
        await trx
          .updateTable('sessions')
          .set({
            access_token: seal(keys, fresh.accessToken, session.id),
            access_token_expires_at: fresh.accessTokenExpiresAt,
            refresh_token: fresh.refreshToken ? seal(keys, fresh.refreshToken, session.id) : locked.refresh_token,
            id_token: fresh.idToken ? seal(keys, fresh.idToken, session.id) : locked.id_token,
          })
          .where('id', '=', session.id)
          .execute()
        return fresh.accessToken
      })
      if (token !== undefined) return token
      await remove(session.id)
      deps.logger.info({ subject: session.subject, reason: refreshFailure ? 'refresh refused' : 'no refresh token' }, 'staff session ended')
      throw new SessionEndedError('the access token expired and could not be refreshed', { cause: refreshFailure })
    },

    async end(session) {
      const row = await db.deleteFrom('sessions').where('id', '=', session.id).returning(['id_token']).executeTakeFirst()
      if (!row?.id_token) return null
      try {
        return unseal(keys, row.id_token, session.id)
      } catch {
        return null
      }
    },
  }
}
