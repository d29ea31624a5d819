import { BaseEnvSchema, oidcVerificationOf, parseEnv, StaffIdentityEnvSchema } from '@banditore/platform'
import Type from 'typebox'

export const SubscriptionsConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** Staff sign-in: OIDC_ISSUER, OIDC_AUDIENCE, OIDC_ROLES_CLAIM, OIDC_ROLE_MAP (API tokens come from the staff-api-tokens bucket). */
  ...StaffIdentityEnvSchema.properties,
  /** HTTP port for the staff API, health and metrics. */
  PORT: Type.Integer({ default: 3003, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  /** Directory of tenant files (tenants/<id>.json). */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** Key of the HMAC that turns a phone number into the anonymised proof erasure keeps. */
  SUBSCRIBER_HASH_KEY: Type.String({ minLength: 32, description: 'secret of at least 32 characters for phone hashes' }),
  /** Days a desk message's text is kept after it arrived. */
  DESK_RETENTION_DAYS: Type.Integer({ default: 90, minimum: 1, description: 'desk message retention, days' }),
  /** Days the exact consent texts and forms are kept after the subscription ended. */
  CONSENT_EVIDENCE_RETENTION_DAYS: Type.Integer({ default: 730, minimum: 1, description: 'consent evidence retention after withdrawal, days' }),
  /** Days a sender who never subscribed is remembered (blocks excepted). */
  SENDER_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 1, description: 'non-subscriber sender retention, days' }),
  /** Days a broadcast's audience snapshot is kept. */
  AUDIENCE_SNAPSHOT_RETENTION_DAYS: Type.Integer({ default: 7, minimum: 1, description: 'audience snapshot retention, days' }),
  /** Minutes between runs of the retention job (one instance runs it at a time). */
  RETENTION_INTERVAL_MINUTES: Type.Integer({ default: 60, minimum: 1, description: 'retention job interval, minutes' }),
  /** Milliseconds between sweeps of messages left in the outbox by a failed publish. */
  OUTBOX_RELAY_INTERVAL_MS: Type.Integer({ default: 2000, minimum: 100, description: 'outbox relay interval, ms' }),
})

export type SubscriptionsConfig = Type.Static<typeof SubscriptionsConfigSchema>

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): SubscriptionsConfig {
  const config = parseEnv(SubscriptionsConfigSchema, env)
  oidcVerificationOf(config) // refuses a malformed OIDC_ROLE_MAP at start
  return config
}
