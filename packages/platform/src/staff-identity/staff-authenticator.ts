import type { StaffApiTokenEntry, StaffGrant } from '@banditore/contracts'
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose'
import { IdentityProviderUnavailableError, StaffUnauthenticatedError } from './staff-auth-errors.js'
import { createStaffPrincipal, parseGrant, type StaffPrincipal } from './staff-principal.js'

/** How people's access tokens are verified. */
export interface OidcVerification {
  /** The OpenID provider's issuer URL (its discovery document gives the keys). */
  issuer: string
  /** The `aud` access tokens must carry. */
  audience: string
  /** The claim holding the roles (`banditore_roles`); a dotted path reads nested claims (`realm_access.roles`). */
  rolesClaim: string
  /** IdP group or role name → `<tenant>:<role>` (one or several). */
  roleMap?: Readonly<Record<string, string | readonly string[]>>
  /** Allowed clock skew for `exp`/`nbf`, seconds (default 30). */
  clockToleranceSeconds?: number
}

/** Finds the live API token with this secret (undefined: unknown or revoked). */
export type ApiTokenResolver = (secret: string) => Promise<StaffApiTokenEntry | undefined>

export interface StaffAuthenticatorOptions {
  /** Without it, only API tokens are accepted. */
  oidc?: OidcVerification
  apiTokens: ApiTokenResolver
}

export interface StaffAuthenticator {
  /** The principal of an `Authorization` header; throws 401 (or 503 when the IdP cannot be read). */
  authenticate(authorization: string | undefined): Promise<StaffPrincipal>
}

const BEARER = /^Bearer\s+(\S+)$/i
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/
const MISSING = 'serve un accesso: Authorization: Bearer <token di accesso o token API>'

/** The principal of an API token: one grant, the token's tenant (`*` for a platform admin). */
export function principalOfApiToken(entry: StaffApiTokenEntry): StaffPrincipal {
  return createStaffPrincipal({
    subject: `token:${entry.id}`,
    name: entry.label,
    via: 'api-token',
    grants: [{ tenant: entry.tenant ?? '*', role: entry.role }],
    actor: `token:${entry.holder}`,
    holder: entry.holder,
    tokenId: entry.id,
  })
}

/**
 * One staff identity for every staff surface: `Authorization: Bearer <jwt>` is a person's access
 * token from the OpenID provider (signature by the issuer's published keys, `iss`, `aud`, `exp`),
 * anything else an API token looked up by `apiTokens`.
 */
export function createStaffAuthenticator(options: StaffAuthenticatorOptions): StaffAuthenticator {
  const oidc = options.oidc
  const verifier = oidc ? createJwtVerifier(oidc, oidc.clockToleranceSeconds ?? 30) : undefined
  return {
    async authenticate(authorization) {
      const credential = authorization ? BEARER.exec(authorization)?.[1] : undefined
      if (!credential) throw new StaffUnauthenticatedError(MISSING)
      if (JWT.test(credential)) {
        if (!verifier) throw new StaffUnauthenticatedError("l'accesso con identità personale non è configurato su questo servizio (OIDC_ISSUER): usare un token API")
        return await verifier(credential)
      }
      const entry = await options.apiTokens(credential)
      if (!entry) throw new StaffUnauthenticatedError('il token API non è valido o è stato revocato')
      return principalOfApiToken(entry)
    },
  }
}

function createJwtVerifier(oidc: OidcVerification, clockTolerance: number) {
  const issuer = oidc.issuer
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined
  const keySet = () => {
    keys ??= discoverKeys(issuer).catch((error: unknown) => {
      keys = undefined
      throw error
    })
    return keys
  }
  return async (jwt: string): Promise<StaffPrincipal> => {
    const jwks = await keySet()
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(jwt, jwks, { issuer, audience: oidc.audience, clockTolerance }))
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw new StaffUnauthenticatedError("l'accesso è scaduto: accedere di nuovo", { cause: error })
      if (error instanceof joseErrors.JWKSTimeout || (error instanceof TypeError && /fetch/i.test(error.message))) {
        throw new IdentityProviderUnavailableError('the identity provider keys could not be read', { cause: error })
      }
      throw new StaffUnauthenticatedError("il token di accesso non è valido per Banditore", { cause: error })
    }
    return principalOfClaims(payload, oidc)
  }
}

async function discoverKeys(issuer: string) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`
  let document: { issuer?: unknown; jwks_uri?: unknown }
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    document = (await response.json()) as typeof document
  } catch (cause) {
    throw new IdentityProviderUnavailableError(`the OpenID discovery document ${url} could not be read`, { cause })
  }
  if (document.issuer !== issuer || typeof document.jwks_uri !== 'string') {
    throw new IdentityProviderUnavailableError(`the OpenID discovery document ${url} names another issuer or no jwks_uri`)
  }
  return createRemoteJWKSet(new URL(document.jwks_uri))
}

function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path]
  return path.split('.').reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined), payload)
}

/** The grants a roles claim gives: each value through the role map, else read as `<tenant>:<role>`. */
export function grantsOfClaim(value: unknown, roleMap: OidcVerification['roleMap'] = {}): StaffGrant[] {
  const values = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/) : []
  const grants: StaffGrant[] = []
  for (const raw of values) {
    if (typeof raw !== 'string' || raw === '') continue
    const mapped = Object.hasOwn(roleMap, raw) ? roleMap[raw] : raw
    for (const text of typeof mapped === 'string' ? [mapped] : (mapped ?? [])) {
      const grant = parseGrant(text)
      if (grant) grants.push(grant)
    }
  }
  return grants
}

function principalOfClaims(payload: JWTPayload, oidc: OidcVerification): StaffPrincipal {
  const text = (key: string) => (typeof payload[key] === 'string' && payload[key] !== '' ? (payload[key] as string) : undefined)
  const subject = payload.sub
  if (!subject) throw new StaffUnauthenticatedError('il token di accesso non indica la persona (sub)')
  const email = text('email') ?? (text('preferred_username')?.includes('@') ? text('preferred_username') : undefined)
  const joined = [text('given_name'), text('family_name')].filter(Boolean).join(' ')
  const name = text('name') ?? (joined || undefined) ?? text('preferred_username') ?? email ?? subject
  return createStaffPrincipal({
    subject,
    name,
    ...(email ? { email } : {}),
    via: 'person',
    grants: grantsOfClaim(claimAt(payload, oidc.rolesClaim), oidc.roleMap),
    actor: email ? `${name} <${email}>` : `${name} (${subject})`,
    holder: email ? email.toLowerCase() : `sub:${subject}`,
  })
}
