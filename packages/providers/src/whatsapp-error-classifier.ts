import type { ProviderErrorKind } from './provider-error.js'

/**
 * Graph API / Cloud API error codes by what to do about them. Sources: Meta's Cloud API error
 * code reference and Graph API error handling. Codes not listed fall back on the HTTP status.
 */
const THROTTLED = new Set([
  4, // Graph: application request limit reached
  80007, // WABA rate limit
  130429, // Cloud API throughput reached
  131048, // spam rate limit: restrictions on how many messages this number may send
  131056, // (business, consumer) pair rate limit
])

const RETRYABLE = new Set([
  1, // Graph: unknown error
  2, // Graph: service temporarily unavailable
  131000, // something went wrong
  131049, // per-user marketing limit: Meta advises retrying later, at growing intervals
  131016, // service unavailable
  131057, // account in maintenance mode
  133004, // server temporarily unavailable
])

const PERMANENT = new Set([
  10, // permission denied
  100, // invalid parameter
  190, // access token expired or invalid
  368, // temporarily blocked for policy violations
  131008, // required parameter missing
  131009, // parameter value invalid
  131021, // recipient cannot be sender
  131026, // message undeliverable
  131030, // recipient not in allowed list / invalid number
  131031, // account locked
  131042, // payment problem
  131045, // certificate / registration problem
  131047, // re-engagement: outside the 24-hour window
  131050, // user stopped marketing messages
  131051, // unsupported message type
  131052, // media download error
  131053, // media upload error
  133010, // phone number not registered
])

/** 132000–132016: template errors (params count, missing, paused, disabled, text too long...). */
const isTemplateError = (code: number) => code >= 132000 && code <= 132016
/** 200–299: Graph permission errors. */
const isPermissionError = (code: number) => code >= 200 && code <= 299

/** Classifies a Graph/Cloud API error code; undefined when the code alone does not say. */
export function classifyWhatsAppErrorCode(code: number): ProviderErrorKind | undefined {
  if (THROTTLED.has(code)) return 'throttled'
  if (RETRYABLE.has(code)) return 'retryable'
  if (PERMANENT.has(code) || isTemplateError(code) || isPermissionError(code)) return 'permanent'
  return undefined
}

/** Classifies a failed Graph API response by error code, then by HTTP status. */
export function classifyWhatsAppError(httpStatus: number | undefined, code: number | undefined): ProviderErrorKind {
  if (httpStatus === 429) return 'throttled'
  const byCode = code === undefined ? undefined : classifyWhatsAppErrorCode(code)
  if (byCode) return byCode
  if (httpStatus === undefined || httpStatus >= 500) return 'retryable'
  return 'permanent'
}
