import { BaseEnvSchema, parseEnv } from '@banditore/platform'
import Type from 'typebox'

// operatorId:token pairs, comma-separated; tokens at least 16 characters (they are guessable otherwise).
const PAPER_TOKENS_PATTERN = '^([A-Za-z0-9._-]{1,64}:[^,:\\s]{16,256})(,[A-Za-z0-9._-]{1,64}:[^,:\\s]{16,256})*$'

export const IngestConfigSchema = Type.Object({
  ...BaseEnvSchema.properties,
  /** HTTP port for webhooks, forms, health and metrics. */
  PORT: Type.Integer({ default: 3001, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  /** Directory of tenant files (tenants/<id>.json). */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** Largest webhook or form body accepted, in bytes; larger ones get 413. */
  MAX_BODY_BYTES: Type.Integer({ default: 256 * 1024, minimum: 1024, description: 'largest request body' }),
  /**
   * The public URL providers call us at (scheme, host, optional port, no trailing slash): the
   * SMS gateway signs the full URL it requested. Unset: rebuilt from the request's Host header
   * (and X-Forwarded-* with TRUST_PROXY), right only without a rewriting proxy in front.
   */
  PUBLIC_BASE_URL: Type.Optional(Type.String({ pattern: '^https?://[^/?#]+$', description: 'public base URL of ingest, without path' })),
  /** The token Meta sends on the webhook verification GET. Unset: verification is refused (403). */
  WHATSAPP_VERIFY_TOKEN: Type.Optional(Type.String({ minLength: 8, description: 'WhatsApp webhook verify token' })),
  /** URP operators allowed to type in paper forms, `operatorId:token,...`. Unset: /forms/paper answers 401. */
  PAPER_FORM_TOKENS: Type.Optional(Type.String({ pattern: PAPER_TOKENS_PATTERN, description: 'operatorId:token pairs, comma-separated, tokens of 16+ characters' })),
  /** Trust X-Forwarded-For/-Proto/-Host from a reverse proxy (per-IP limits, public URL). */
  TRUST_PROXY: Type.Boolean({ default: false, description: 'trust X-Forwarded-* headers' }),
  /** Web sign-ups accepted per client IP per SIGNUP_IP_WINDOW_SECONDS. */
  SIGNUP_LIMIT_PER_IP: Type.Integer({ default: 10, minimum: 1, description: 'web sign-ups per IP per window' }),
  SIGNUP_IP_WINDOW_SECONDS: Type.Integer({ default: 600, minimum: 1, description: 'per-IP sign-up window, seconds' }),
  /** Web sign-ups accepted per phone number per SIGNUP_NUMBER_WINDOW_SECONDS (each sends the citizen a confirmation). */
  SIGNUP_LIMIT_PER_NUMBER: Type.Integer({ default: 3, minimum: 1, description: 'web sign-ups per number per window' }),
  SIGNUP_NUMBER_WINDOW_SECONDS: Type.Integer({ default: 3600, minimum: 1, description: 'per-number sign-up window, seconds' }),
  /** How long a JetStream publish may wait for its acknowledgement before the request gets 503, ms. */
  PUBLISH_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 60_000, description: 'JetStream acknowledgement timeout, ms' }),
  /**
   * Days a received provider id is remembered for dedupe. Meta retries a webhook for up to 7
   * days, Twilio for minutes: 30 leaves a wide margin.
   */
  RECEIVED_RETENTION_DAYS: Type.Integer({ default: 30, minimum: 8, description: 'days received ids are kept for dedupe' }),
  /** How often the retention job runs, seconds (one instance at a time, by advisory lock). */
  RETENTION_INTERVAL_SECONDS: Type.Integer({ default: 3600, minimum: 10, description: 'retention job interval, seconds' }),
})
export type IngestConfig = Type.Static<typeof IngestConfigSchema>

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): IngestConfig {
  return parseEnv(IngestConfigSchema, env)
}
