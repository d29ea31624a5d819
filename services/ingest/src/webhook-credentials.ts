import type { Tenant } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'

/**
 * Resolves a secret by the environment variable name a tenant file gives (`appSecretEnv`,
 * `authTokenEnv`). main.ts passes one over process.env; tests pass their own map.
 */
export type SecretResolver = (name: string) => string | undefined

/** A resolver over an environment-like map; empty values count as unset. */
export function secretsFrom(env: Readonly<Record<string, string | undefined>>): SecretResolver {
  return (name) => {
    const value = env[name]
    return value === undefined || value === '' ? undefined : value
  }
}

/** A tenant channel whose signing secret is not set: its webhooks cannot be verified. */
export interface MissingSecret {
  readonly tenant: string
  readonly channel: 'whatsapp' | 'sms'
  /** The environment variable to set (never its value). */
  readonly variable: string
}

/**
 * The secrets that sign each tenant's webhooks, resolved once at start (the environment does not
 * change while the process runs): the Meta app secret per WhatsApp number and the gateway auth
 * token per SMS number.
 */
export class WebhookCredentials {
  private readonly whatsapp = new Map<string, string>()
  private readonly sms = new Map<string, string>()
  private readonly smsSigningKeys = new Map<string, string>()
  readonly missing: readonly MissingSecret[]

  constructor(tenants: TenantDirectory, resolve: SecretResolver) {
    const missing: MissingSecret[] = []
    for (const tenant of tenants.all()) {
      const { whatsapp, sms } = tenant.channels
      if (whatsapp) {
        const secret = resolve(whatsapp.appSecretEnv)
        if (secret) this.whatsapp.set(tenant.id, secret)
        else missing.push({ tenant: tenant.id, channel: 'whatsapp', variable: whatsapp.appSecretEnv })
      }
      if (sms) {
        const token = resolve(sms.authTokenEnv)
        if (token) this.sms.set(tenant.id, token)
        else missing.push({ tenant: tenant.id, channel: 'sms', variable: sms.authTokenEnv })
        if (sms.webhookSigningKeyEnv) {
          const key = resolve(sms.webhookSigningKeyEnv)
          if (key) this.smsSigningKeys.set(tenant.id, key)
          else missing.push({ tenant: tenant.id, channel: 'sms', variable: sms.webhookSigningKeyEnv })
        }
      }
    }
    this.missing = missing
  }

  whatsAppSecretOf(tenant: Tenant): string | undefined {
    return this.whatsapp.get(tenant.id)
  }

  smsTokenOf(tenant: Tenant): string | undefined {
    return this.sms.get(tenant.id)
  }

  /** Every distinct Meta app secret: tenants sharing one Meta app share its secret. */
  allWhatsAppSecrets(): string[] {
    return [...new Set(this.whatsapp.values())]
  }

  /** Every distinct gateway auth token. */
  allSmsTokens(): string[] {
    return [...new Set(this.sms.values())]
  }

  /** The shared key of the gateway Webhook Setting that signs the tenant's SMS webhooks with HMAC-SHA256. */
  smsSigningKeyOf(tenant: Tenant): string | undefined {
    return this.smsSigningKeys.get(tenant.id)
  }

  /** Every distinct Webhook Setting shared key. */
  allSmsSigningKeys(): string[] {
    return [...new Set(this.smsSigningKeys.values())]
  }
}
