import type { ProviderErrorKind } from './provider-error.js'

/** Twilio error codes by what to do about them (Twilio error and warning dictionary). */
const THROTTLED = new Set([
  14107, // SMS send rate limit exceeded
  20429, // too many requests
  30001, // queue overflow
  30022, // A2P 10DLC rate limit exceeded
])

const RETRYABLE = new Set([
  20500, // internal server error
  20503, // service unavailable
  30003, // unreachable handset (off, no signal): usually temporary, Twilio advises retrying
  30008, // unknown delivery error
  30009, // missing segment
  30017, // carrier network congestion
])

const PERMANENT = new Set([
  20003, // authentication failed
  20404, // resource not found
  21211, // invalid 'To' number
  21408, // permission to send to this region not enabled
  21602, // body required
  21606, // 'From' number not valid for this account
  21608, // unverified number on a trial account
  21610, // recipient unsubscribed (replied STOP)
  21612, // cannot route to this number
  21614, // 'To' is not a mobile number
  21617, // body exceeds 1600 characters
  30002, // account suspended
  30004, // message blocked
  30005, // unknown destination handset
  30006, // landline or unreachable carrier
  30007, // message filtered by the carrier
  30010, // price exceeds max price
  30034, // unregistered A2P 10DLC number
])

export function classifyTwilioErrorCode(code: number): ProviderErrorKind | undefined {
  if (THROTTLED.has(code)) return 'throttled'
  if (RETRYABLE.has(code)) return 'retryable'
  if (PERMANENT.has(code)) return 'permanent'
  return undefined
}

/** Classifies a failed Twilio API response by error code, then by HTTP status. */
export function classifyTwilioError(httpStatus: number | undefined, code: number | undefined): ProviderErrorKind {
  if (httpStatus === 429) return 'throttled'
  const byCode = code === undefined ? undefined : classifyTwilioErrorCode(code)
  if (byCode) return byCode
  if (httpStatus === undefined || httpStatus >= 500) return 'retryable'
  return 'permanent'
}
