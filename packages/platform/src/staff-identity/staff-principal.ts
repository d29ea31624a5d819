import type { StaffGrant, StaffRole } from '@banditore/contracts'
import { StaffRoles } from '@banditore/contracts'
import { StaffForbiddenError } from './staff-auth-errors.js'

/** Who is calling a staff surface: a person signed in at the OpenID provider, or an API token. */
export interface StaffPrincipal {
  /** The IdP subject (`sub`), or `token:<id>` for an API token. */
  subject: string
  name: string
  email?: string
  via: 'person' | 'api-token'
  grants: readonly StaffGrant[]
  /** What the audit trail records: `Maria Rossi <maria.rossi@comune.it>` or `token:<holder>`. */
  actor: string
  /**
   * The stable identity four eyes compare: the person's e-mail (lower case) or `sub:<subject>`,
   * a token's holder. A token whose holder is a person's e-mail is that person.
   */
  holder: string
  /** The API token's id (API tokens only). */
  tokenId?: string
  /** Roles held for `tenant` (grants on it, and platform-wide `*` grants). */
  rolesFor(tenant: string): StaffRole[]
  /** True when one of `roles` is held for `tenant`. */
  hasRole(tenant: string, roles: readonly StaffRole[]): boolean
  /** Tenants named by grants (without `*`). */
  tenants(): string[]
  isPlatformAdmin(): boolean
}

const TENANT = /^[a-z0-9][a-z0-9-]{0,62}$/
const ROLES = new Set<string>(StaffRoles)

/** `<tenant>:<role>` or `*:admin` as a grant; anything else is undefined. */
export function parseGrant(value: string): StaffGrant | undefined {
  const at = value.lastIndexOf(':')
  if (at <= 0) return undefined
  const tenant = value.slice(0, at).trim()
  const role = value.slice(at + 1).trim()
  if (!ROLES.has(role)) return undefined
  if (tenant === '*') return role === 'admin' ? { tenant, role } : undefined
  return TENANT.test(tenant) ? { tenant, role: role as StaffRole } : undefined
}

export function createStaffPrincipal(fields: Omit<StaffPrincipal, 'rolesFor' | 'hasRole' | 'tenants' | 'isPlatformAdmin'>): StaffPrincipal {
  const grants = dedupe(fields.grants)
  const rolesFor = (tenant: string) => [...new Set(grants.filter((g) => g.tenant === tenant || g.tenant === '*').map((g) => g.role))]
  return {
    ...fields,
    grants,
    rolesFor,
    hasRole: (tenant, roles) => rolesFor(tenant).some((r) => roles.includes(r)),
    tenants: () => [...new Set(grants.filter((g) => g.tenant !== '*').map((g) => g.tenant))],
    isPlatformAdmin: () => grants.some((g) => g.tenant === '*' && g.role === 'admin'),
  }
}

function dedupe(grants: readonly StaffGrant[]): StaffGrant[] {
  const seen = new Set<string>()
  return grants.filter((g) => {
    const key = `${g.tenant}:${g.role}`
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const ROLE_NAMES: Record<StaffRole, string> = {
  operator: 'operatore',
  approver: 'approvatore',
  'civil-protection': 'protezione civile',
  desk: 'sportello',
  'privacy-officer': 'responsabile privacy',
  'policy-editor': 'redattore delle regole',
  admin: 'amministratore',
}

/** The Italian name of a role, as staff read it in a refusal. */
export const roleName = (role: StaffRole) => ROLE_NAMES[role]

/** Throws 403 unless the principal holds one of `roles` for `tenant`. */
export function assertStaffRole(principal: StaffPrincipal, tenant: string, roles: readonly StaffRole[]): void {
  if (principal.hasRole(tenant, roles)) return
  const held = principal.rolesFor(tenant)
  throw new StaffForbiddenError(
    `questa azione per il comune ${tenant} richiede il ruolo ${roles.map(roleName).join(' o ')}; ` +
      (held.length > 0 ? `hai il ruolo ${held.map(roleName).join(', ')}` : 'non hai ruoli per questo comune'),
  )
}
