import type { StaffRole } from '@banditore/contracts'
import { assertStaffRole, type StaffAuthenticator, type StaffPrincipal } from '@banditore/platform'
import type { FastifyRequest } from 'fastify'

export interface StaffIdentity {
  principal: StaffPrincipal
  /** The actor recorded in the ledger and on desk answers (`Maria Rossi <…>`, `token:<holder>`). */
  actor: string
}

/** Who may do what, per tenant (an admin of the tenant, or a platform admin, may do all). */
export const StaffPermissions = {
  desk: ['desk', 'admin'],
  senders: ['desk', 'privacy-officer', 'admin'],
  privacy: ['privacy-officer', 'admin'],
} as const satisfies Record<string, readonly StaffRole[]>

/**
 * Checks `Authorization: Bearer <access token or API token>` (the platform's one staff
 * identity) and the caller's roles for the tenant in the path: 401 without a valid credential,
 * 403 without the role for that tenant (problem+json, Italian detail).
 */
export function createStaffGuard(authenticator: StaffAuthenticator) {
  return async (request: FastifyRequest, tenant: string, roles: readonly StaffRole[]): Promise<StaffIdentity> => {
    const principal = await authenticator.authenticate(request.headers.authorization)
    assertStaffRole(principal, tenant, roles)
    return { principal, actor: principal.actor }
  }
}

export type StaffGuard = ReturnType<typeof createStaffGuard>
