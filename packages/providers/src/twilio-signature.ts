import { createHmac, timingSafeEqual } from 'node:crypto'
import type { FormParams } from './form-params.js'
import type { SignatureCheck } from './whatsapp-signature.js'

/**
 * `X-Twilio-Signature` as Twilio computes it: base64 HMAC-SHA1 (auth token) over the full URL
 * (with its query string) followed by every POST parameter, sorted by name, as name+value. A
 * repeated name contributes each distinct value, values sorted.
 */
export function computeTwilioSignature(authToken: string, url: string, params: FormParams = {}, algorithm: TwilioSignatureAlgorithm = 'HMAC_SHA1'): string {
  let data = url
  for (const name of Object.keys(params).sort()) {
    const value = params[name]
    if (typeof value === 'string') data += name + value
    else if (value) for (const item of [...new Set(value)].sort()) data += name + item
  }
  return createHmac(algorithm === 'HMAC_SHA256' ? 'sha256' : 'sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64')
}

/** The HMAC variants Twilio signs webhooks with: SHA-1 by default, SHA-256 under a Webhook Setting. */
export type TwilioSignatureAlgorithm = 'HMAC_SHA1' | 'HMAC_SHA256'

/** `X-Twilio-Webhooks-Signature-Settings`, sent when a Webhook Rule's Setting signs the request. */
export const TWILIO_SIGNATURE_SETTINGS_HEADER = 'x-twilio-webhooks-signature-settings'

/**
 * Reads `X-Twilio-Webhooks-Signature-Settings: key=<key id>,algorithm=HMAC_SHA256`. Absent: the
 * request is signed with the account's auth token and HMAC-SHA1. Present: with the Setting's
 * shared key and the algorithm it names. Undefined for a header that is not of this form or
 * names an algorithm Twilio does not document.
 */
export function parseTwilioSignatureSettings(header: string | readonly string[] | undefined):
  | { readonly present: false; readonly algorithm: 'HMAC_SHA1' }
  | { readonly present: true; readonly key: string; readonly algorithm: TwilioSignatureAlgorithm }
  | undefined {
  const value = Array.isArray(header) ? header[0] : header
  if (value === undefined || value === '') return { present: false, algorithm: 'HMAC_SHA1' }
  const fields = new Map<string, string>()
  for (const part of (value as string).split(',')) {
    const at = part.indexOf('=')
    if (at === -1) return undefined
    fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim())
  }
  const algorithm = fields.get('algorithm')?.toUpperCase()
  if (algorithm !== 'HMAC_SHA1' && algorithm !== 'HMAC_SHA256') return undefined
  return { present: true, key: fields.get('key') ?? '', algorithm }
}

const URL_PARTS = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is

/**
 * The URL as received, then with the default port added or removed: Twilio signs the URL as
 * configured, and a proxy in front of us may add or drop `:443`/`:80`.
 */
function candidateUrls(url: string): string[] {
  const match = URL_PARTS.exec(url)
  if (!match) return [url]
  const [, scheme = '', authority = '', rest = ''] = match
  const at = authority.lastIndexOf('@')
  const userInfo = authority.slice(0, at + 1)
  const hostPort = authority.slice(at + 1)
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1)
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon)
  const defaultPort = scheme.toLowerCase() === 'https://' ? ':443' : ':80'
  const withoutPort = scheme + userInfo + host + rest
  const withPort = scheme + userInfo + host + (colon === -1 ? defaultPort : hostPort.slice(colon)) + rest
  return [...new Set([url, withoutPort, withPort])]
}

/**
 * Checks `X-Twilio-Signature` for a webhook. `url` is the full public URL Twilio requested
 * (scheme, host, path and query string, exactly as configured on the number or passed as
 * StatusCallback); `params` the parsed form body; `algorithm` from the signature settings
 * header (SHA-256 signatures are checked with the Setting's shared key). Constant-time,
 * length-checked.
 */
export function verifyTwilioSignature(
  authToken: string,
  signatureHeader: string | readonly string[] | undefined,
  url: string,
  params: FormParams,
  algorithm: TwilioSignatureAlgorithm = 'HMAC_SHA1',
): SignatureCheck {
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader
  if (typeof header !== 'string' || header.length === 0) return { valid: false, reason: 'missing' }
  // Base64 of a 20-byte (SHA-1) or 32-byte (SHA-256) digest.
  if (!(algorithm === 'HMAC_SHA256' ? /^[A-Za-z0-9+/]{43}=$/ : /^[A-Za-z0-9+/]{27}=$/).test(header)) return { valid: false, reason: 'malformed' }
  const received = Buffer.from(header)
  for (const candidate of candidateUrls(url)) {
    const expected = Buffer.from(computeTwilioSignature(authToken, candidate, params, algorithm))
    if (received.length === expected.length && timingSafeEqual(received, expected)) return { valid: true }
  }
  return { valid: false, reason: 'mismatch' }
}
