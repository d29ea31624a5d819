import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The keys a console replica derives from SESSION_SECRET (HKDF-SHA-256, one `info` per purpose,
 * so no key serves two purposes): every replica with the same secret reads every session.
 */
export interface SessionKeys {
  /** AES-256-GCM key sealing tokens at rest and the sign-in state cookie. */
  readonly seal: Buffer
  /** HMAC-SHA-256 key turning a session id into the value stored in PostgreSQL. */
  readonly id: Buffer
}

export class SessionSealError extends Error {
  readonly code = 'SESSION_SEAL_INVALID'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SessionSealError'
  }
}

const SALT = Buffer.from('banditore-console-session-v1')
const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export function deriveSessionKeys(secret: string): SessionKeys {
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), SALT, info, 32))
  return { seal: derive('token-seal'), id: derive('session-id') }
}

/** 256 random bits, base64url: the value of the session cookie. */
export function newSessionId(): string {
  return randomBytes(32).toString('base64url')
}

/** A random token the SPA echoes in X-CSRF-Token on every mutating request. */
export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * What PostgreSQL stores for a session id: a keyed hash, so a copy of the table does not give
 * working cookies. Ids are 256-bit random, a slow hash would add nothing.
 */
export function hashSessionId(keys: SessionKeys, sessionId: string): string {
  return createHmac('sha256', keys.id).update(sessionId, 'utf8').digest('hex')
}

/**
 * AES-256-GCM with a random 96-bit IV. `context` is bound as associated data (the session's
 * stored id, or the purpose of a cookie), so a sealed value moved to another row does not open.
 */
export function seal(keys: SessionKeys, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keys.seal, iv)
  cipher.setAAD(Buffer.from(context, 'utf8'))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()])
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`
}

/** Opens what `seal` produced with the same keys and context; throws SessionSealError otherwise. */
export function unseal(keys: SessionKeys, sealed: string, context: string): string {
  const [version, ivText, bodyText, extra] = sealed.split('.')
  if (version !== VERSION || !ivText || !bodyText || extra !== undefined) throw new SessionSealError('not a sealed value')
  const iv = Buffer.from(ivText, 'base64url')
  const body = Buffer.from(bodyText, 'base64url')
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new SessionSealError('sealed value is truncated')
  try {
    const decipher = createDecipheriv('aes-256-gcm', keys.seal, iv)
    decipher.setAAD(Buffer.from(context, 'utf8'))
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES))
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch (error) {
    throw new SessionSealError('sealed value does not open with this key and context', { cause: error })
  }
}

/** Constant-time comparison of two strings (CSRF tokens). */
export function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false
  const left = Buffer.from(a, 'utf8')
  const right = Buffer.from(b, 'utf8')
  return left.length === right.length && timingSafeEqual(left, right)
}
