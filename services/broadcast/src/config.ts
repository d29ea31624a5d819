import { TaskQueues } from '@banditore/contracts'
import { BaseEnvSchema, oidcVerificationOf, parseEnv, StaffIdentityEnvSchema } from '@banditore/platform'
import Type from 'typebox'

export const BroadcastConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** People's access tokens: OIDC_ISSUER, OIDC_AUDIENCE, OIDC_ROLES_CLAIM, OIDC_ROLE_MAP. */
  ...StaffIdentityEnvSchema.properties,
  /** HTTP port of the staff API, OpenAPI docs, health and metrics. */
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  /** Directory of tenant files (tenants/<id>.json). */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** Temporal frontend address (host:port). */
  TEMPORAL_ADDRESS: Type.String({ default: '127.0.0.1:7233', pattern: '^[^:/]+:[0-9]+$', description: 'Temporal host:port' }),
  /** Temporal namespace. */
  TEMPORAL_NAMESPACE: Type.String({ default: 'default', minLength: 1, description: 'Temporal namespace' }),
  /** Task queue the broadcast workflows run on (the worker listens on the same). */
  TEMPORAL_TASK_QUEUE_EMERGENCY: Type.String({ default: TaskQueues.emergency, minLength: 1, description: 'emergency alerts task queue' }),
  TEMPORAL_TASK_QUEUE_BROADCAST: Type.String({ default: TaskQueues.broadcast, minLength: 1, description: 'broadcast task queue' }),
  /**
   * A platform admin token accepted at start (stored hashed, never logged, mirrored to the
   * other services): the first admin creates every other token through the API. At least 32
   * characters. With OIDC_ISSUER set, a platform admin may sign in instead.
   */
  BOOTSTRAP_ADMIN_TOKEN: Type.Optional(Type.String({ minLength: 32, description: 'bootstrap admin API token' })),
  /** How long the outbound policy check may take before the draft is saved as unchecked, ms. */
  OUTBOUND_CHECK_TIMEOUT_MS: Type.Integer({ default: 3000, minimum: 100, description: 'moderation check timeout (ms)' }),
  /**
   * Quiet hours of tenants that have not set their own (local times, HH:MM-HH:MM; `off`: none):
   * no routine broadcast is sent inside them. Staff change a tenant's at /v1/quiet-hours.
   */
  QUIET_HOURS_DEFAULT: Type.String({ default: '21:00-08:00', pattern: '^(off|([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-3]):[0-5][0-9])$', description: 'default quiet hours' }),
  /**
   * The index of the DPC criticality bulletin to read (the published `files/<YYYYMMDD_HHMM>.json`
   * shape; its file URLs may be relative to it). Empty: no bulletin drafts. The DPC repository
   * has no stable "latest" file: point it at a mirror or proxy that serves the newest index.
   */
  DPC_BULLETIN_INDEX_URL: Type.String({ default: '', pattern: '^(|https?://.+)$', description: 'DPC bulletin index URL (empty: off)' }),
  /** How often the bulletin is read, seconds (it is published once a day, updates in the evening). */
  DPC_BULLETIN_POLL_SECONDS: Type.Integer({ default: 900, minimum: 10, description: 'DPC bulletin poll interval (s)' }),
  /** Graph API base URL the WhatsApp template registry reads from (the provider simulator locally and in tests). */
  WHATSAPP_API_BASE_URL: Type.String({ default: 'https://graph.facebook.com', pattern: '^https?://', description: 'Graph API base URL' }),
  /** How often each tenant's WhatsApp templates are read from Meta, seconds (also once at start). */
  SAFETY_POLL_CHECK_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 3600, description: "how often an alert's workflow reads its safety poll's count (s)" }),
  WHATSAPP_TEMPLATE_SYNC_SECONDS: Type.Integer({ default: 900, minimum: 5, description: 'WhatsApp template registry sync interval (s)' }),
  /** How long one page of the template listing may take, ms. */
  WHATSAPP_TEMPLATE_SYNC_TIMEOUT_MS: Type.Integer({ default: 10_000, minimum: 100, description: 'WhatsApp template listing timeout (ms)' }),
  /** How long one file of the bulletin may take to download, ms. */
  DPC_BULLETIN_TIMEOUT_MS: Type.Integer({ default: 20_000, minimum: 100, description: 'DPC bulletin download timeout (ms)' }),
})
export type BroadcastConfig = Type.Static<typeof BroadcastConfigSchema>

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): BroadcastConfig {
  const config = parseEnv(BroadcastConfigSchema, env)
  oidcVerificationOf(config) // refuses a malformed OIDC_ROLE_MAP at start
  return config
}
