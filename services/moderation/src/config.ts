import { BaseEnvSchema, oidcVerificationOf, parseEnv, StaffIdentityEnvSchema } from '@banditore/platform'
import Type from 'typebox'

export const ModerationConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** Staff sign-in for the policy routes: OIDC_ISSUER, OIDC_AUDIENCE, OIDC_ROLES_CLAIM, OIDC_ROLE_MAP (API tokens come from the staff-api-tokens bucket). */
  ...StaffIdentityEnvSchema.properties,
  /** HTTP port for health, readiness and metrics. */
  PORT: Type.Integer({ default: 3002, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  /** Directory of tenant files (tenants/<id>.json): languages, timezone, office hours, own domains. */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** The rules/ directory: the ruleset at start, and the one watched with RULESET_SOURCE=directory. */
  RULES_DIR: Type.String({ default: 'rules', minLength: 1, description: 'moderation rules directory' }),
  /**
   * Where rule changes come from while running: `directory` watches RULES_DIR (local
   * development), `kv` follows the bundle `rules publish` puts into the moderation-rulesets
   * NATS KV bucket (deployment), `none` keeps the rules read at start.
   */
  RULESET_SOURCE: Type.Union([Type.Literal('directory'), Type.Literal('kv'), Type.Literal('none')], {
    default: 'directory',
    description: 'where rule changes come from: directory, kv or none',
  }),
  /** Quiet time after the last file change before rules/ is reloaded, ms. */
  RULES_DEBOUNCE_MS: Type.Integer({ default: 300, minimum: 0, maximum: 60_000, description: 'rules reload debounce, ms' }),
  /**
   * Where the sender history lives: `kv`, the NATS KV bucket moderation-sender-history shared by
   * every replica (the service's default); `memory`, this process only (one replica, tests).
   */
  SENDER_HISTORY: Type.Union([Type.Literal('kv'), Type.Literal('memory')], {
    default: 'kv',
    description: 'sender history store: kv (shared by replicas) or memory',
  }),
  /**
   * With SENDER_HISTORY=kv: how long a replica waits for the same sender's earlier message, in
   * flight on another replica, to be decided first, ms (then it decides anyway).
   */
  SENDER_ORDER_WAIT_MS: Type.Integer({ default: 3000, minimum: 0, maximum: 60_000, description: 'wait for an earlier message of the sender on another replica, ms' }),
  /** Senders whose recent messages and violations are remembered (least recently active forgotten first). */
  SENDER_HISTORY_MAX_SENDERS: Type.Integer({ default: 200_000, minimum: 1000, description: 'senders remembered in memory' }),
  /** How long a violation counts towards "block after N violations", days. */
  VIOLATION_MEMORY_DAYS: Type.Integer({ default: 90, minimum: 1, maximum: 3650, description: 'days a violation counts' }),
  /** Deliveries of an inbound message before it is dead-lettered. */
  MAX_DELIVER: Type.Integer({ default: 5, minimum: 1, maximum: 100, description: 'deliveries before dead-lettering' }),
  /** How long a verdict publish may wait for JetStream's acknowledgement, ms. */
  PUBLISH_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 60_000, description: 'JetStream acknowledgement timeout, ms' }),
})
export type ModerationConfig = Type.Static<typeof ModerationConfigSchema>

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ModerationConfig {
  const config = parseEnv(ModerationConfigSchema, env)
  oidcVerificationOf(config) // refuses a malformed OIDC_ROLE_MAP at start
  return config
}
