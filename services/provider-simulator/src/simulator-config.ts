import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { FaultPlanSchema } from './fault-plan.js'
import { SimTemplateSchema } from './template-catalog.js'

const Url = Type.String({ pattern: '^https?://' })
const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })
const PerSecond = Type.Number({ exclusiveMinimum: 0 })

/** A WhatsApp business number the simulated Graph API accepts sends for. */
export const SimWhatsAppSenderSchema = Type.Object(
  {
    phoneNumberId: Type.String({ minLength: 1 }),
    /** E.164; written without `+` in webhooks, as Meta does. */
    displayPhoneNumber: E164,
    /** The WhatsApp Business Account id (webhook `entry.id`). Default `waba-<phoneNumberId>`. */
    businessAccountId: Type.Optional(Type.String({ minLength: 1 })),
    /** The Bearer token sends must carry. */
    accessToken: Type.String({ minLength: 1 }),
    /** Signs this number's webhooks. Default: the simulator's WhatsApp app secret. */
    appSecret: Type.Optional(Type.String({ minLength: 1 })),
    /** Where statuses and inbound messages are posted. None: nothing is posted. */
    webhookUrl: Type.Optional(Url),
    /** Throughput cap, messages per second over any sliding second. Default: the global cap. */
    throughputPerSecond: Type.Optional(PerSecond),
    /**
     * Message templates of this number's business account (shared by its numbers). A template
     * send of anything else fails with 132001, as the Cloud API answers it.
     */
    templates: Type.Optional(Type.Array(SimTemplateSchema)),
  },
  { additionalProperties: false },
)
export type SimWhatsAppSender = Type.Static<typeof SimWhatsAppSenderSchema>

/** A Twilio-compatible account and its numbers. */
export const SimTwilioAccountSchema = Type.Object(
  {
    accountSid: Type.String({ minLength: 1 }),
    authToken: Type.String({ minLength: 1 }),
    numbers: Type.Array(
      Type.Object(
        {
          number: E164,
          /** The number's messaging webhook: inbound SMS are posted here. */
          smsUrl: Type.Optional(Url),
          throughputPerSecond: Type.Optional(PerSecond),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * Alphanumeric sender IDs the account may send from (`From: ComCorbetta`): paced under its
     * first number, reported as `From` in status callbacks, and impossible to answer.
     */
    senderIds: Type.Optional(Type.Array(Type.String({ pattern: '^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$' }))),
  },
  { additionalProperties: false },
)
export type SimTwilioAccount = Type.Static<typeof SimTwilioAccountSchema>

export const SimulatorOptionsSchema = Type.Object(
  {
    /** Listen address. */
    host: Type.String({ default: '127.0.0.1' }),
    /** Listen port; 0 picks a free one. */
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 0 }),
    /** Default app secret for X-Hub-Signature-256. */
    whatsappAppSecret: Type.String({ minLength: 1, default: 'simulator-app-secret' }),
    whatsapp: Type.Array(SimWhatsAppSenderSchema, { default: [] }),
    twilio: Type.Array(SimTwilioAccountSchema, { default: [] }),
    /** Cap per sender number when it sets none (Meta's default tier is 80/s). */
    defaultThroughputPerSecond: Type.Number({ exclusiveMinimum: 0, default: 80 }),
    /**
     * WhatsApp pair rate per (sender, recipient), messages/s (131056 past it). Meta: one message
     * every 6 seconds to the same user. `null`: no pair limit (a test that needs it off says so).
     */
    pairRatePerSecond: Type.Union([PerSecond, Type.Null()], { default: 1 / 6 }),
    /** Messages a pair may burst before the pair rate applies. Meta: a burst of up to 45 in 6 seconds. */
    pairBurst: Type.Integer({ minimum: 1, default: 45 }),
    /** Statuses posted for an accepted WhatsApp message, in order. */
    whatsappStatuses: Type.Array(Type.Union([Type.Literal('sent'), Type.Literal('delivered'), Type.Literal('read')]), {
      default: ['sent', 'delivered', 'read'],
    }),
    /** Statuses posted for an accepted SMS, in order. */
    smsStatuses: Type.Array(Type.Union([Type.Literal('sent'), Type.Literal('delivered')]), { default: ['sent', 'delivered'] }),
    /** Pause before each status callback, ms. */
    statusDelayMs: Type.Integer({ minimum: 0, default: 5 }),
    /**
     * Free text / media outside the 24-hour customer-service window fails (status `failed`,
     * 131047), as Meta does. `false` only for a test that needs business-initiated free text.
     */
    enforceServiceWindow: Type.Boolean({ default: true }),
    /** Concurrent webhook POSTs. */
    callbackConcurrency: Type.Integer({ minimum: 1, default: 64 }),
    /**
     * Override of the providers' retry schedules (webhook-retry-policy.ts): when set, every failed
     * webhook of either provider is retried, the delay doubling from 100 ms, up to this many
     * attempts in all (the simulator's behaviour before it followed the providers). Unset: Meta's
     * schedule for WhatsApp (up to 7 days), Twilio's for SMS (one retry, on connection failures only).
     */
    callbackMaxAttempts: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Per-attempt webhook deadline, ms. */
    callbackTimeoutMs: Type.Integer({ minimum: 1, default: 5000 }),
    /** Webhooks waiting for a retry, at most (memory stays bounded); a failure past it is given up. */
    callbackMaxRetrying: Type.Integer({ minimum: 1, default: 100_000 }),
    /**
     * The simulator's clock for webhook retries: provider time per real time. Every retry delay
     * is divided by it; 3600 runs an hour of Meta's schedule in a real second (its 7 days in under
     * 3 minutes). Default 1: real time. Status delays and fault latencies are not scaled.
     */
    timeScale: Type.Number({ exclusiveMinimum: 0, default: 1 }),
    /** Seed of the random source behind fault rates (same seed, same faults). */
    seed: Type.Integer({ default: 1 }),
    /** Faults active from the start. */
    faults: Type.Optional(FaultPlanSchema),
  },
  { additionalProperties: false },
)
export type SimulatorOptions = Type.Static<typeof SimulatorOptionsSchema>
/** What callers pass: every field with a default may be left out. */
export type SimulatorOptionsInput = Partial<SimulatorOptions>

/** Invalid simulator configuration; `issues` names each problem by path. */
export class SimulatorConfigError extends Error {
  readonly code = 'INVALID_SIMULATOR_CONFIG'
  constructor(
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    super(`simulator config: ${issues.map((i) => `${i.path || '/'} ${i.message}`).join('; ')}`, options)
    this.name = 'SimulatorConfigError'
  }
}

const optionsValidator = Compile(SimulatorOptionsSchema)

/** Fills defaults and validates. Throws SimulatorConfigError. */
export function resolveSimulatorOptions(input: SimulatorOptionsInput = {}): SimulatorOptions {
  const defaults: Record<string, unknown> = {}
  for (const [key, schema] of Object.entries(SimulatorOptionsSchema.properties)) {
    if ('default' in schema) defaults[key] = structuredClone(schema.default)
  }
  const candidate = { ...defaults, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) }
  if (!optionsValidator.Check(candidate)) {
    throw new SimulatorConfigError(optionsValidator.Errors(candidate).map((e) => ({ path: e.instancePath, message: e.message })))
  }
  return candidate
}

function numberFrom(env: Readonly<Record<string, string | undefined>>, name: string, issues: Array<{ path: string; message: string }>) {
  const raw = env[name]
  if (raw === undefined || raw === '') return undefined
  const value = Number(raw)
  if (!Number.isFinite(value)) issues.push({ path: name, message: 'must be a number' })
  return value
}

/**
 * The simulator's configuration from the environment (pure; nothing read at module load):
 * - SIM_HOST (default 0.0.0.0), SIM_PORT (default 4010): listen address.
 * - SIM_SENDERS: JSON `{ "whatsapp": [SimWhatsAppSender...], "twilio": [SimTwilioAccount...] }`.
 * - SIM_WHATSAPP_APP_SECRET: default app secret for webhook signatures.
 * - SIM_DEFAULT_MPS: throughput cap per sender (msg/s) when a sender sets none. Default 80.
 * - SIM_PAIR_RATE_PER_SECOND (`off` for none), SIM_PAIR_BURST: WhatsApp pair rate limit (131056).
 *   Default Meta's: 1/6 per second, a burst of 45.
 * - SIM_STATUS_DELAY_MS: pause before each status callback. Default 5.
 * - SIM_WHATSAPP_STATUSES: comma list of sent,delivered,read. Default all three.
 * - SIM_ENFORCE_SERVICE_WINDOW: true/false. Default true.
 * - SIM_CALLBACK_CONCURRENCY, SIM_CALLBACK_TIMEOUT_MS: webhook posting. Default 64, 5000 ms.
 * - SIM_CALLBACK_MAX_ATTEMPTS: overrides the providers' retry schedules (see callbackMaxAttempts).
 * - SIM_CALLBACK_MAX_RETRYING: webhooks waiting for a retry, at most. Default 100000.
 * - SIM_TIME_SCALE: provider time per real time for retry delays (3600: an hour a second). Default 1.
 * - SIM_SEED: seed of fault randomness.
 * - SIM_LOG_LEVEL: pino level (main.ts only). Default info.
 */
export function loadSimulatorConfig(env: Readonly<Record<string, string | undefined>>): SimulatorOptions {
  const issues: Array<{ path: string; message: string }> = []
  let senders: { whatsapp?: unknown; twilio?: unknown } = {}
  if (env.SIM_SENDERS) {
    try {
      senders = JSON.parse(env.SIM_SENDERS) as typeof senders
    } catch {
      issues.push({ path: 'SIM_SENDERS', message: 'is not valid JSON' })
    }
  }
  const bool = (name: string) => {
    const raw = env[name]
    if (raw === undefined || raw === '') return undefined
    if (raw !== 'true' && raw !== 'false') issues.push({ path: name, message: 'must be true or false' })
    return raw === 'true'
  }
  const input = {
    host: env.SIM_HOST || '0.0.0.0',
    port: numberFrom(env, 'SIM_PORT', issues) ?? 4010,
    whatsappAppSecret: env.SIM_WHATSAPP_APP_SECRET || undefined,
    whatsapp: senders.whatsapp,
    twilio: senders.twilio,
    defaultThroughputPerSecond: numberFrom(env, 'SIM_DEFAULT_MPS', issues),
    pairRatePerSecond: env.SIM_PAIR_RATE_PER_SECOND === 'off' ? null : numberFrom(env, 'SIM_PAIR_RATE_PER_SECOND', issues),
    pairBurst: numberFrom(env, 'SIM_PAIR_BURST', issues),
    statusDelayMs: numberFrom(env, 'SIM_STATUS_DELAY_MS', issues),
    whatsappStatuses: env.SIM_WHATSAPP_STATUSES ? env.SIM_WHATSAPP_STATUSES.split(',').map((s) => s.trim()) : undefined,
    enforceServiceWindow: bool('SIM_ENFORCE_SERVICE_WINDOW'),
    callbackConcurrency: numberFrom(env, 'SIM_CALLBACK_CONCURRENCY', issues),
    callbackMaxAttempts: numberFrom(env, 'SIM_CALLBACK_MAX_ATTEMPTS', issues),
    callbackTimeoutMs: numberFrom(env, 'SIM_CALLBACK_TIMEOUT_MS', issues),
    callbackMaxRetrying: numberFrom(env, 'SIM_CALLBACK_MAX_RETRYING', issues),
    timeScale: numberFrom(env, 'SIM_TIME_SCALE', issues),
    seed: numberFrom(env, 'SIM_SEED', issues),
  }
  if (input.timeScale !== undefined && Number.isFinite(input.timeScale) && input.timeScale <= 0) {
    issues.push({ path: 'SIM_TIME_SCALE', message: 'must be a positive number (provider time per real time, e.g. 3600 for an hour a second)' })
  }
  if (issues.length) throw new SimulatorConfigError(issues)
  return resolveSimulatorOptions(input as SimulatorOptionsInput)
}
