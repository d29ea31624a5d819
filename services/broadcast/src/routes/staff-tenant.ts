import type { Tenant } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { StaffPrincipal } from '../auth/staff-auth.js'
import { DraftInvalidError, UnknownTenantError } from '../broadcast-errors.js'

/**
 * The tenant a read acts for: the caller's own, or (platform admins) the one they name.
 * Naming another tenant than one's own is refused as the broadcast list refuses it.
 */
export function tenantForRead(tenants: TenantDirectory, staff: StaffPrincipal, requested: string | undefined): Tenant {
  if (staff.tenant !== null && requested !== undefined && requested !== staff.tenant) {
    throw new DraftInvalidError(`il token vale per il comune ${staff.tenant}`, '/tenant')
  }
  const id = staff.tenant ?? requested
  if (!id) throw new DraftInvalidError('un token di piattaforma deve indicare il comune', '/tenant')
  const tenant = tenants.get(id)
  if (!tenant) throw new UnknownTenantError(id)
  return tenant
}
