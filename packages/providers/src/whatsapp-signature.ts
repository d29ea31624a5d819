import { createHmac, timingSafeEqual } from 'node:crypto'

/** The outcome of a webhook signature check; `reason` is safe to log. */
export type SignatureCheck = { readonly valid: true } | { readonly valid: false; readonly reason: 'missing' | 'malformed' | 'mismatch' }

const PREFIX = 'sha256='
const HEX_SHA256 = /^[0-9a-f]{64}$/i

/** `X-Hub-Signature-256` for a body: sha256= HMAC-SHA256(app secret, raw body bytes), hex. */
export function signWhatsAppPayload(rawBody: Uint8Array | string, appSecret: string): string {
  return PREFIX + createHmac('sha256', appSecret).update(rawBody).digest('hex')
}

/**
 * Checks `X-Hub-Signature-256` against the RAW request body (the bytes as received: re-serialized
 * JSON does not match). Constant-time comparison of equal-length digests.
 */
export function verifyWhatsAppSignature(
  rawBody: Uint8Array | string,
  signatureHeader: string | readonly string[] | undefined,
  appSecret: string,
): SignatureCheck {
  const header = Array.isArray(signatureHeader) ? signatureHeader[0] : signatureHeader
  if (typeof header !== 'string' || header.length === 0) return { valid: false, reason: 'missing' }
  if (!header.startsWith(PREFIX) || !HEX_SHA256.test(header.slice(PREFIX.length))) {
    return { valid: false, reason: 'malformed' }
  }
  const received = Buffer.from(header.slice(PREFIX.length), 'hex')
  const expected = createHmac('sha256', appSecret).update(rawBody).digest()
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { valid: false, reason: 'mismatch' }
  }
  return { valid: true }
}

/** The answer to Meta's verification GET. */
export type SubscriptionAnswer = { readonly status: 200; readonly body: string } | { readonly status: 403; readonly body: '' }

/**
 * Answers the webhook verification request Meta sends when a webhook URL is configured:
 * `hub.mode=subscribe`, `hub.verify_token` equal to ours → 200 with `hub.challenge` as the body.
 * Anything else → 403.
 */
export function answerWhatsAppSubscription(
  query: Readonly<Record<string, unknown>> | URLSearchParams,
  verifyToken: string,
): SubscriptionAnswer {
  const get = (name: string): string | undefined => {
    const value = query instanceof URLSearchParams ? query.get(name) : query[name]
    return typeof value === 'string' ? value : undefined
  }
  const token = get('hub.verify_token')
  const challenge = get('hub.challenge')
  const tokenMatches =
    token !== undefined &&
    Buffer.byteLength(token) === Buffer.byteLength(verifyToken) &&
    timingSafeEqual(Buffer.from(token), Buffer.from(verifyToken))
  if (get('hub.mode') === 'subscribe' && tokenMatches && challenge !== undefined && challenge.length > 0) {
    return { status: 200, body: challenge }
  }
  return { status: 403, body: '' }
}
