/** Whose webhook it is: each provider retries a failed webhook its own way. */
export type WebhookProvider = 'whatsapp-cloud' | 'twilio'

/**
 * Why an attempt failed: `no-connection` (refused, unreachable, no connection within the
 * timeout); `no-answer` (connected, but no answer in time, or the connection broke first);
 * `error-status` (the receiver answered, with something other than 2xx).
 */
export type WebhookAttemptFailure = 'no-connection' | 'no-answer' | 'error-status'

/**
 * When a provider posts a failed webhook again. All durations are provider time, ms: the
 * simulator divides them by its time scale (`timeScale`) before it waits.
 *
 * Delay before retry `n` (1 = the first retry) is `min(firstRetryDelayMs · backoffMultiplier^(n−1),
 * maxRetryDelayMs)`. A retry is made only while fewer than `maxRetries` were made and the retry
 * starts at most `maxAgeMs` after the first attempt (counting the delays only, so the schedule
 * does not depend on how loaded the machine is).
 */
export interface WebhookRetryPolicy {
  readonly firstRetryDelayMs: number
  readonly backoffMultiplier: number
  readonly maxRetryDelayMs: number
  /** Retries after the first attempt, at most. */
  readonly maxRetries: number
  readonly maxAgeMs: number
  /** `any-failure`: every failed attempt is retried; `connection-failure`: only attempts that never connected. */
  readonly retryOn: 'any-failure' | 'connection-failure'
}

const SECOND = 1000
const HOUR = 60 * 60 * SECOND
const DAY = 24 * HOUR

/**
 * Meta (WhatsApp Cloud API): a webhook your endpoint does not answer with 200 (or cannot be
 * reached) is retried with decreasing frequency (exponential backoff) for up to 7 days, and the
 * same notification may therefore arrive more than once. Source: "Webhooks overview", WhatsApp
 * Business Platform, https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/overview/
 * (the section on failed deliveries).
 *
 * Meta does not publish the intervals; this concrete schedule is ours: 15 s, doubling, at most
 * 6 h apart, for 7 days: retries at +15 s, +45 s, +1 min 45 s, … about 8.5 h in, then every 6 h
 * until day 7 (37 retries, 38 attempts in all).
 */
export const META_WEBHOOK_RETRY: WebhookRetryPolicy = {
  firstRetryDelayMs: 15 * SECOND,
  backoffMultiplier: 2,
  maxRetryDelayMs: 6 * HOUR,
  maxRetries: Number.POSITIVE_INFINITY,
  maxAgeMs: 7 * DAY,
  retryOn: 'any-failure',
}

/**
 * Twilio (status callbacks and incoming-message webhooks): no retry schedule. Its connection
 * overrides say what it does by default: retry count `rc` 1 and retry policy `rp` `ct`, i.e. one
 * more attempt when the connection to your server failed (refused, or no connection within the
 * 5 s connect timeout), none when your server answered (even 5xx) or was slow to answer; every
 * attempt within a total time `tt` of 15 s. Source: "Webhooks (HTTP callbacks): Connection
 * Overrides", https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides
 * A status Twilio could not post is gone: the platform has to ask for it (or reconcile).
 */
export const TWILIO_WEBHOOK_RETRY: WebhookRetryPolicy = {
  firstRetryDelayMs: 0,
  backoffMultiplier: 1,
  maxRetryDelayMs: 0,
  maxRetries: 1,
  maxAgeMs: 15 * SECOND,
  retryOn: 'connection-failure',
}

/** Each provider's own schedule: what the simulator does unless told otherwise. */
export const PROVIDER_WEBHOOK_RETRIES: Readonly<Record<WebhookProvider, WebhookRetryPolicy>> = {
  'whatsapp-cloud': META_WEBHOOK_RETRY,
  twilio: TWILIO_WEBHOOK_RETRY,
}

/**
 * The simulator's schedule before it followed the providers' (kept for callers that set
 * `callbackMaxAttempts`): every failure retried, `firstRetryDelayMs · 2^(n−1)`, `maxAttempts` in all.
 */
export function fixedAttemptsRetry(maxAttempts: number, firstRetryDelayMs = 100): WebhookRetryPolicy {
  return {
    firstRetryDelayMs,
    backoffMultiplier: 2,
    maxRetryDelayMs: Number.POSITIVE_INFINITY,
    maxRetries: maxAttempts - 1,
    maxAgeMs: Number.POSITIVE_INFINITY,
    retryOn: 'any-failure',
  }
}

/**
 * The delay before the next attempt, provider ms, or undefined to give up. `retriesMade`: retries
 * already made; `elapsedMs`: the delays waited so far (provider ms).
 */
export function nextRetryDelayMs(policy: WebhookRetryPolicy, failure: WebhookAttemptFailure, retriesMade: number, elapsedMs: number): number | undefined {
  if (policy.retryOn === 'connection-failure' && failure !== 'no-connection') return undefined
  if (retriesMade >= policy.maxRetries) return undefined
  const delayMs = Math.min(policy.firstRetryDelayMs * policy.backoffMultiplier ** retriesMade, policy.maxRetryDelayMs)
  return elapsedMs + delayMs <= policy.maxAgeMs ? delayMs : undefined
}

/** Every retry delay (provider ms) of a webhook that always fails with `failure`. */
export function retrySchedule(policy: WebhookRetryPolicy, failure: WebhookAttemptFailure = 'error-status'): number[] {
  const delays: number[] = []
  let elapsedMs = 0
  for (;;) {
    const delayMs = nextRetryDelayMs(policy, failure, delays.length, elapsedMs)
    if (delayMs === undefined || delays.length >= 10_000) return delays
    delays.push(delayMs)
    elapsedMs += delayMs
  }
}
