import type { Tenant } from '@banditore/contracts'
import { receivingNumberProblem, type ReceivingNumberProblem } from '@banditore/providers'

/** An official or on-duty number of a tenant file that cannot receive the emergency notice. */
export interface EmergencyContactFlag {
  tenant: string
  /** JSON path in the tenant file, e.g. `/emergency/officials/0/phone`. */
  path: string
  problem: ReceivingNumberProblem
}

/**
 * The escalation chain's numbers that cannot receive messages: not valid by the numbering plan,
 * not a mobile, or in a fictional range (a placeholder never replaced). A flagged official is
 * skipped at once when an alert runs (the provider refuses the notice); flagging them at start
 * lets the municipality fix the file before an emergency finds out. The flag names the file's
 * path, never the number.
 */
export function flagEmergencyContacts(tenants: readonly Tenant[]): EmergencyContactFlag[] {
  const flags: EmergencyContactFlag[] = []
  for (const tenant of tenants) {
    const emergency = tenant.emergency
    if (!emergency) continue
    for (const list of ['officials', 'onDuty'] as const) {
      for (const [index, contact] of emergency[list].entries()) {
        const problem = receivingNumberProblem(contact.phone)
        if (problem) flags.push({ tenant: tenant.id, path: `/emergency/${list}/${index}/phone`, problem })
      }
    }
  }
  return flags
}
