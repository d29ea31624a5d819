import Type from 'typebox'
import { ConfigError } from '../config.js'
import type { OidcVerification } from './staff-authenticator.js'

/** The variables of every service with a staff surface: how people's access tokens are verified. */
export const StaffIdentityEnvSchema = Type.Object({
  /** The municipality's OpenID provider (issuer URL). Unset: only API tokens are accepted. */
  OIDC_ISSUER: Type.Optional(Type.String({ pattern: '^https?://', description: 'OpenID provider issuer URL' })),
  /** The audience (`aud`) staff access tokens are issued for. */
  OIDC_AUDIENCE: Type.String({ default: 'banditore', minLength: 1, description: 'access token audience' }),
  /** The access token claim with the roles, `<tenant>:<role>` values (dotted path for nested claims). */
  OIDC_ROLES_CLAIM: Type.String({ default: 'banditore_roles', minLength: 1, description: 'roles claim' }),
  /** Clock skew allowed when checking `exp` and `nbf`, seconds. */
  OIDC_CLOCK_TOLERANCE_SECONDS: Type.Integer({ default: 30, minimum: 0, maximum: 300, description: 'access token clock tolerance, seconds' }),
  /** JSON object: IdP group or app role name → `<tenant>:<role>` (or an array of them). */
  OIDC_ROLE_MAP: Type.Optional(Type.String({ minLength: 2, description: 'JSON map of IdP group/role names to <tenant>:<role>' })),
})
export type StaffIdentityEnv = Type.Static<typeof StaffIdentityEnvSchema>

/** The verification settings of a parsed environment; undefined without OIDC_ISSUER. Throws ConfigError on a bad OIDC_ROLE_MAP. */
export function oidcVerificationOf(env: StaffIdentityEnv): OidcVerification | undefined {
  if (!env.OIDC_ISSUER) return undefined
  let roleMap: Record<string, string | string[]> | undefined
  if (env.OIDC_ROLE_MAP) {
    let parsed: unknown
    try {
      parsed = JSON.parse(env.OIDC_ROLE_MAP)
    } catch (cause) {
      throw new ConfigError('OIDC_ROLE_MAP', 'is not valid JSON', { cause })
    }
    const valid =
      parsed !== null &&
      typeof parsed === 'object' &&
      !Array.isArray(parsed) &&
      Object.values(parsed).every((v) => typeof v === 'string' || (Array.isArray(v) && v.every((x) => typeof x === 'string')))
    if (!valid) throw new ConfigError('OIDC_ROLE_MAP', 'must be a JSON object of names to "<tenant>:<role>" strings (or arrays of them)')
    roleMap = parsed as Record<string, string | string[]>
  }
  return {
    issuer: env.OIDC_ISSUER,
    audience: env.OIDC_AUDIENCE,
    rolesClaim: env.OIDC_ROLES_CLAIM,
    clockToleranceSeconds: env.OIDC_CLOCK_TOLERANCE_SECONDS,
    ...(roleMap ? { roleMap } : {}),
  }
}
