/** The two providers this package talks to, named as the contracts name them. */
export type OutboundProvider = 'whatsapp-cloud' | 'sms-gateway'

/**
 * What the caller should do about a failed send:
 * - `retryable`: transient (5xx, network, provider hiccup); retry with backoff.
 * - `throttled`: the provider asks us to slow down; retry after `retryAfterMs` or a backoff, and
 *   lower the pace of this sender.
 * - `permanent`: retrying the same request cannot succeed (bad number, opted out, template or
 *   credential problem); record the failure.
 */
export type ProviderErrorKind = 'retryable' | 'throttled' | 'permanent'

export interface ProviderErrorDetails {
  readonly provider: OutboundProvider
  readonly kind: ProviderErrorKind
  /** The provider's own error code (Graph `error.code`, Twilio `code`), as a string. */
  readonly providerCode?: string
  readonly httpStatus?: number
  readonly retryAfterMs?: number
  /**
   * True when the provider may have accepted the message although we got no answer (timeout,
   * connection reset after the request went out, 5xx). Reconcile from status webhooks (by
   * correlation) before sending again.
   */
  readonly ambiguous?: boolean
  readonly title?: string
  readonly detail?: string
  readonly cause?: unknown
}

/** Digit runs long enough to be phone numbers (providers echo the recipient in messages). */
const PHONE_LIKE = /\+?\d[\d ().-]{5,}\d/g

/** Masks phone-number-like digit runs: error messages and bodies end up in logs. */
export function redactPhoneNumbers<T>(value: T): T {
  if (typeof value === 'string') return value.replace(PHONE_LIKE, '[number]') as T
  if (Array.isArray(value)) return value.map((item: unknown) => redactPhoneNumbers(item)) as T
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactPhoneNumbers(item)])) as T
  }
  return value
}

/**
 * A provider refused or failed a request. `kind` says whether and how to retry. Message, title,
 * detail and a JSON body `cause` are stored with phone numbers masked, so the error can be
 * logged as it is.
 */
export class ProviderError extends Error {
  readonly code = 'PROVIDER_ERROR'
  readonly provider: OutboundProvider
  readonly kind: ProviderErrorKind
  readonly providerCode: string | undefined
  readonly httpStatus: number | undefined
  readonly retryAfterMs: number | undefined
  readonly ambiguous: boolean
  readonly title: string | undefined
  readonly detail: string | undefined

  constructor(message: string, details: ProviderErrorDetails) {
    super(redactPhoneNumbers(message), details.cause === undefined ? undefined : { cause: redactPhoneNumbers(details.cause) })
    this.name = 'ProviderError'
    this.provider = details.provider
    this.kind = details.kind
    this.providerCode = details.providerCode
    this.httpStatus = details.httpStatus
    this.retryAfterMs = details.retryAfterMs
    this.ambiguous = details.ambiguous ?? false
    this.title = redactPhoneNumbers(details.title)
    this.detail = redactPhoneNumbers(details.detail)
  }
}

/** Free text or media outside the 24-hour customer-service window: use a template instead. */
export class OutsideCustomerServiceWindowError extends Error {
  readonly code = 'OUTSIDE_CUSTOMER_SERVICE_WINDOW'
  constructor(
    readonly lastInboundAt: Date | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      lastInboundAt
        ? `the customer-service window closed at ${new Date(lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS).toISOString()}; send a template`
        : 'no inbound message opens a customer-service window; send a template',
      options,
    )
    this.name = 'OutsideCustomerServiceWindowError'
  }
}

/** WhatsApp's customer-service window: 24 hours from the citizen's last message. */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 60 * 60 * 1000

/** Reads a `Retry-After` header (seconds or HTTP date) into milliseconds. */
export function retryAfterMsFrom(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000)
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
