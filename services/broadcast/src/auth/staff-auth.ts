import { createHash, randomBytes } from 'node:crypto'
import type { StaffRole } from '@banditore/contracts'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { ForbiddenError, UnauthenticatedError } from '../broadcast-errors.js'
import { findActiveTokenByHash } from '../store/api-token.repository.js'

/** Who is calling, as their token says. */
export interface StaffPrincipal {
  tokenId: string
  /** null: a platform admin, for every tenant. */
  tenant: string | null
  role: StaffRole
  holder: string
}

declare module 'fastify' {
  interface FastifyRequest {
    staff: StaffPrincipal | null
  }
}

/**
 * Tokens are 256 random bits, so SHA-256 is enough to store them: nothing to brute-force, and
 * a lookup by hash costs one index probe per request (a slow KDF would cost every request).
 */
export const hashToken = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex')

/** A new secret: `bnd_` and 43 base64url characters. */
export const generateToken = () => `bnd_${randomBytes(32).toString('base64url')}`

const BEARER = /^Bearer\s+(\S+)$/i

/**
 * Resolves the bearer token of every request under `/v1/` to a principal before anything else
 * (validation included) looks at the request: without a live token, 401.
 */
export function registerStaffAuth(app: FastifyInstance, db: Kysely<BroadcastDatabase>): void {
  app.decorateRequest('staff', null)
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/')) return
    const secret = BEARER.exec(request.headers.authorization ?? '')?.[1]
    const row = secret ? await findActiveTokenByHash(db, hashToken(secret)) : undefined
    if (!row) throw new UnauthenticatedError('serve un token API valido (Authorization: Bearer <token>)')
    request.staff = { tokenId: row.id, tenant: row.tenant, role: row.role, holder: row.holder }
  })
}

/** The caller, who must hold one of `roles`; throws 401 or 403. */
export function requireRole(request: FastifyRequest, roles: readonly StaffRole[]): StaffPrincipal {
  const staff = request.staff
  if (!staff) throw new UnauthenticatedError('serve un token API valido (Authorization: Bearer <token>)')
  if (!roles.includes(staff.role)) throw new ForbiddenError(`questa azione richiede il ruolo ${roles.join(' o ')}; il token ha il ruolo ${staff.role}`)
  return staff
}
