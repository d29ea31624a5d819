import { randomBytes } from 'node:crypto'
import { STAFF_TENANT_HEADER, type StaffRole } from '@banditore/contracts'
import {
  createStaffAuthenticator,
  hashApiTokenSecret,
  roleName,
  type OidcVerification,
  type StaffAuthenticator,
  type StaffPrincipal as StaffIdentity,
} from '@banditore/platform'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { ForbiddenError, UnauthenticatedError } from '../broadcast-errors.js'
import { findActiveTokenByHash } from '../repositories/api-token.repository.js'

/**
 * Who is calling, acting for one tenant: a person signed in at the OpenID provider or an API
 * token, as `requireRole` answers it to every route.
 */
export interface StaffPrincipal {
  /**
   * The principal id recorded as author, approver, trigger: the API token's id, or
   * `person:<sub>` for a person. (Named `tokenId` since tokens were the only principals.)
   */
  tokenId: string
  /** The tenant the request acts for; null: a platform admin, for every tenant. */
  tenant: string | null
  /** The role the action is done in: the first of the required roles the caller holds. */
  role: StaffRole
  /** Every role held for `tenant`. */
  roles: StaffRole[]
  /** The person's stable identity (e-mail, or a token's holder): four eyes compare it. */
  holder: string
  /** What the audit trail records: `Maria Rossi <maria.rossi@…>` or `token:<holder>`. */
  actor: string
  /** The identity behind the request, every grant included. */
  identity: StaffIdentity
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller of a `/v1/` route (null elsewhere). */
    staff: StaffIdentity | null
  }
}

/** Tokens are 256 random bits: SHA-256 is enough to store them (see hashApiTokenSecret). */
export const hashToken = hashApiTokenSecret

/** A new secret: `bnd_` and 43 base64url characters. */
export const generateToken = () => `bnd_${randomBytes(32).toString('base64url')}`

const MISSING = 'serve un accesso valido (Authorization: Bearer <token di accesso o token API>)'

/**
 * The broadcast service's authenticator: people's access tokens when an issuer is configured,
 * API tokens from the service's own table (their owner: a revocation applies here at once).
 */
export function createBroadcastAuthenticator(db: Kysely<BroadcastDatabase>, oidc: OidcVerification | undefined): StaffAuthenticator {
  return createStaffAuthenticator({
    ...(oidc ? { oidc } : {}),
    apiTokens: async (secret) => {
      const row = await findActiveTokenByHash(db, hashToken(secret))
      return row ? { id: row.id, tenant: row.tenant, role: row.role, holder: row.holder, label: row.label } : undefined
    },
  })
}

/**
 * Resolves the bearer of every request under `/v1/` to a principal before anything else
 * (validation included) looks at the request: without a live token or access token, 401.
 */
export function registerStaffAuth(app: FastifyInstance, authenticator: StaffAuthenticator): void {
  app.decorateRequest('staff', null)
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/')) return
    request.staff = await authenticator.authenticate(request.headers.authorization)
  })
}

/**
 * The tenant a request acts for: an API token's own; for a person, the tenant named by
 * X-Banditore-Tenant (one they hold a grant on), else their only tenant; null for a platform
 * admin who names none.
 */
export function actingTenantOf(request: FastifyRequest, identity: StaffIdentity): string | null {
  const header = request.headers[STAFF_TENANT_HEADER]
  const named = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined
  const admin = identity.isPlatformAdmin()
  const own = identity.tenants()
  if (named !== undefined) {
    if (!admin && !own.includes(named)) throw new ForbiddenError(`non hai ruoli per il comune ${named}`)
    return named
  }
  if (admin) return null
  if (own.length === 1) return own[0]!
  throw new ForbiddenError(`hai ruoli per più comuni (${own.join(', ')}): indicare quale con l'intestazione X-Banditore-Tenant`)
}

/** The caller, who must hold one of `roles` for the tenant they act for; throws 401 or 403. */
export function requireRole(request: FastifyRequest, roles: readonly StaffRole[]): StaffPrincipal {
  const identity = request.staff
  if (!identity) throw new UnauthenticatedError(MISSING)
  const tenant = actingTenantOf(request, identity)
  const held = tenant === null ? (['admin'] as StaffRole[]) : identity.rolesFor(tenant)
  const role = roles.find((r) => held.includes(r))
  if (!role) {
    const where = tenant === null ? '' : ` per il comune ${tenant}`
    const has = held.length > 0 ? `hai il ruolo ${held.map(roleName).join(', ')}` : 'non hai ruoli per questo comune'
    throw new ForbiddenError(`questa azione${where} richiede il ruolo ${roles.map(roleName).join(' o ')}; ${has}`)
  }
  return {
    tokenId: identity.tokenId ?? `person:${identity.subject}`,
    tenant,
    role,
    roles: held,
    holder: identity.holder,
    actor: identity.actor,
    identity,
  }
}
