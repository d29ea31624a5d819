import { BaseEnvSchema, parseEnv } from '@banditore/platform'
import Type from 'typebox'

export const WorkerConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** Port of the worker's health and metrics endpoint. */
  PORT: Type.Integer({ default: 3009, minimum: 0, maximum: 65535, description: 'HTTP port for health and metrics' }),
  /** Temporal frontend address (host:port). */
  TEMPORAL_ADDRESS: Type.String({ default: '127.0.0.1:7233', pattern: '^[^:/]+:[0-9]+$', description: 'Temporal host:port' }),
  /** Temporal namespace. */
  TEMPORAL_NAMESPACE: Type.String({ default: 'default', minLength: 1, description: 'Temporal namespace' }),
  /** Directory of tenant files (tenants/<id>.json). */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** The WhatsApp Cloud API (Graph API) base URL; the provider simulator's locally. */
  WHATSAPP_API_BASE_URL: Type.String({ default: 'https://graph.facebook.com', pattern: '^https?://', description: 'Graph API base URL' }),
  /** The SMS gateway's (Twilio-compatible) base URL; the provider simulator's locally. */
  SMS_API_BASE_URL: Type.String({ default: 'https://api.twilio.com', pattern: '^https?://', description: 'SMS gateway base URL' }),
  /** Ingest's public URL for SMS status callbacks. */
  SMS_STATUS_CALLBACK_URL: Type.String({
    default: 'http://127.0.0.1:3001/webhooks/sms/status',
    pattern: '^https?://',
    description: 'public URL of ingest /webhooks/sms/status',
  }),
  /** Task queue the broadcast workflows run on (the broadcast service starts them there). */
  TEMPORAL_TASK_QUEUE_BROADCAST: Type.String({ default: 'banditore-broadcast', minLength: 1, description: 'broadcast task queue' }),
  /** Task queue the reply workflows run on (tests use their own). */
  TEMPORAL_TASK_QUEUE_EMERGENCY: Type.String({ default: 'banditore-emergency', minLength: 1, description: 'emergency alerts task queue' }),
  TEMPORAL_TASK_QUEUE_REPLIES: Type.String({ default: 'banditore-replies', minLength: 1, description: 'replies task queue' }),
  /**
   * A workflow bundle built from these same sources (`bundleWorkflowCode`'s output in a file):
   * used instead of bundling at start. Unset: the prebuilt dist bundle when compiled, else built now.
   */
  WORKFLOW_BUNDLE_PATH: Type.Optional(Type.String({ minLength: 1, description: 'path of a prebuilt workflow bundle' })),
  /** Subscriptions' key for number hashes: send-ledger numbers past retention become the same keyed hash as the consent proof. Unset: a random key per start (the hashes then link to nothing). */
  SUBSCRIBER_HASH_KEY: Type.Optional(Type.String({ minLength: 32, description: 'secret of at least 32 characters for phone hashes' })),
  /** Days after which a settled send's number is replaced by its keyed hash. */
  SEND_LEDGER_RETENTION_DAYS: Type.Integer({ default: 90, minimum: 1, description: 'send-ledger number retention, days' }),
  /** Minutes between passes of the send-ledger retention. */
  SEND_LEDGER_RETENTION_INTERVAL_MINUTES: Type.Integer({ default: 60, minimum: 1, description: 'send-ledger retention interval, minutes' }),
})
export type WorkerConfig = Type.Static<typeof WorkerConfigSchema>

export function loadConfig(env: Readonly<Record<string, string | undefined>>): WorkerConfig {
  return parseEnv(WorkerConfigSchema, env)
}
