import type { Tenant } from '@banditore/contracts'
import { findPhoneNumbers } from '../detectors/phone-number-detector.js'

/**
 * What moderation needs of a tenant's configuration (tenants/<id>.json, the shared Tenant
 * contract): its languages (which lexicons apply), timezone and office hours (the officeHours
 * fact), its own domains (links and e-mail addresses that are not off topic or personal data),
 * its own numbers (quoting the municipality's number is not sharing personal data) and which
 * rules/tenants/<dir> holds its rule overrides.
 */
export interface ModerationProfile {
  readonly tenant: string
  readonly languages: readonly string[]
  readonly timezone: string
  readonly officeHours?: Tenant['officeHours']
  /** Domains (and their subdomains) that belong to the tenant. */
  readonly ownDomains: readonly string[]
  /** The tenant's phone numbers, E.164. */
  readonly ownNumbers: readonly string[]
  /** The directory under rules/tenants/ with the tenant's overrides. */
  readonly rulesetDir: string
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(/^https?:\/\//.test(url) ? url : `https://${url}`).hostname.replace(/^www\./, '')
  } catch {
    return undefined
  }
}

export function profileFromTenant(tenant: Tenant): ModerationProfile {
  const domains = new Set(tenant.linkAllowList.map((d) => d.toLowerCase().replace(/^www\./, '')))
  const emailDomain = tenant.contacts.email?.split('@')[1]
  if (emailDomain) domains.add(emailDomain.toLowerCase())
  for (const url of [tenant.contacts.website, tenant.contacts.reportsUrl]) {
    const host = url ? hostOf(url) : undefined
    if (host) domains.add(host)
  }
  const numbers = new Set<string>()
  if (tenant.channels.whatsapp) numbers.add(tenant.channels.whatsapp.number)
  if (tenant.channels.sms) numbers.add(tenant.channels.sms.number)
  for (const n of findPhoneNumbers(tenant.contacts.phone ?? '')) numbers.add(n)
  return {
    tenant: tenant.id,
    languages: tenant.languages,
    timezone: tenant.timezone,
    ...(tenant.officeHours ? { officeHours: tenant.officeHours } : {}),
    ownDomains: [...domains],
    ownNumbers: [...numbers],
    rulesetDir: tenant.ruleset ?? tenant.id,
  }
}

/**
 * The profile of a tenant with no configuration: Italian, Rome time, no office, no own domains,
 * and the overrides in rules/tenants/<id> if there are any (the empty id is the default rules).
 */
export function defaultProfile(tenant: string): ModerationProfile {
  return { tenant, languages: ['it'], timezone: 'Europe/Rome', ownDomains: [], ownNumbers: [], rulesetDir: tenant }
}

/** Profiles by tenant id; unknown tenants get the default profile under their own id. */
export class ProfileDirectory {
  private readonly byTenant: ReadonlyMap<string, ModerationProfile>

  constructor(profiles: readonly ModerationProfile[]) {
    this.byTenant = new Map(profiles.map((p) => [p.tenant, p]))
  }

  static fromTenants(tenants: readonly Tenant[]): ProfileDirectory {
    return new ProfileDirectory(tenants.map(profileFromTenant))
  }

  get(tenant: string): ModerationProfile {
    return this.byTenant.get(tenant) ?? defaultProfile(tenant)
  }

  has(tenant: string): boolean {
    return this.byTenant.has(tenant)
  }

  all(): ModerationProfile[] {
    return [...this.byTenant.values()]
  }
}
