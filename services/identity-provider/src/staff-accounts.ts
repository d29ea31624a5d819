import type { StaffRole, Tenant } from '@banditore/contracts'
import { StaffRoles } from '@banditore/contracts'

/** A seeded staff account of the local provider: one per tenant and role, and the platform admin. */
export interface StaffAccount {
  /** The login name and the `sub`: `<role>.<tenant>`, or `admin`. */
  username: string
  name: string
  email: string
  /** `<tenant>:<role>` (`*:admin` for the platform admin). */
  roles: string[]
}

const ROLE_LABELS: Record<StaffRole, string> = {
  operator: 'Operatore',
  approver: 'Approvatore',
  'civil-protection': 'Protezione civile',
  desk: 'Sportello',
  'privacy-officer': 'Responsabile privacy',
  'policy-editor': 'Redattore regole',
  admin: 'Amministratore',
}

/** "Comune di Corbetta" → "Corbetta". */
const placeOf = (tenant: Tenant) => tenant.name.replace(/^Comune di\s+/i, '').trim() || tenant.id

/** Every seeded account, in a stable order: the platform admin, then tenant by tenant, role by role. */
export function seedStaffAccounts(tenants: readonly Tenant[]): StaffAccount[] {
  const accounts: StaffAccount[] = [{ username: 'admin', name: 'Amministratore piattaforma', email: 'admin@banditore.local', roles: ['*:admin'] }]
  for (const tenant of [...tenants].sort((a, b) => a.id.localeCompare(b.id))) {
    for (const role of StaffRoles) {
      const username = `${role}.${tenant.id}`
      accounts.push({ username, name: `${ROLE_LABELS[role]} ${placeOf(tenant)}`, email: `${username}@banditore.local`, roles: [`${tenant.id}:${role}`] })
    }
  }
  return accounts
}

/** The accounts as the local stack prints them. */
export function describeStaffAccounts(accounts: readonly StaffAccount[], password: string): string {
  const width = Math.max(...accounts.map((a) => a.username.length))
  return [`staff accounts (password: ${password})`, ...accounts.map((a) => `  ${a.username.padEnd(width)}  ${a.name}  [${a.roles.join(', ')}]`)].join('\n')
}
