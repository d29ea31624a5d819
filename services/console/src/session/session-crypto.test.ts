import { describe, expect, it } from 'vitest'
import { deriveSessionKeys, hashSessionId, newCsrfToken, newSessionId, sameSecret, seal, SessionSealError, unseal } from './session-crypto.js'

const keys = deriveSessionKeys('a-session-secret-of-at-least-32-characters')
const other = deriveSessionKeys('another-session-secret-of-32-characters!')

describe('session crypto', () => {
  it('seals and opens a token in its context', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.payload.signature'
    const sealed = seal(keys, token, 'session-a')
    expect(sealed).not.toContain('payload')
    expect(unseal(keys, sealed, 'session-a')).toBe(token)
  })

  it('uses a fresh IV each time', () => {
    expect(seal(keys, 'same', 'ctx')).not.toBe(seal(keys, 'same', 'ctx'))
  })

  it('refuses another context, another key, and a tampered value', () => {
    const sealed = seal(keys, 'refresh-token', 'session-a')
    expect(() => unseal(keys, sealed, 'session-b')).toThrow(SessionSealError)
    expect(() => unseal(other, sealed, 'session-a')).toThrow(SessionSealError)
    const [v, iv, body] = sealed.split('.') as [string, string, string]
    const flipped = Buffer.from(body, 'base64url')
    flipped[0] = (flipped[0] ?? 0) ^ 1
    expect(() => unseal(keys, `${v}.${iv}.${flipped.toString('base64url')}`, 'session-a')).toThrow(SessionSealError)
    expect(() => unseal(keys, 'garbage', 'session-a')).toThrow(SessionSealError)
    expect(() => unseal(keys, `v1.${iv}`, 'session-a')).toThrow(SessionSealError)
  })

  it('stores session ids as a keyed hash', () => {
    const id = newSessionId()
    expect(Buffer.from(id, 'base64url')).toHaveLength(32)
    const stored = hashSessionId(keys, id)
    expect(stored).toMatch(/^[0-9a-f]{64}$/)
    expect(hashSessionId(keys, id)).toBe(stored)
    expect(hashSessionId(other, id)).not.toBe(stored)
    expect(newSessionId()).not.toBe(id)
  })

  it('compares CSRF tokens exactly', () => {
    const token = newCsrfToken()
    expect(sameSecret(token, token)).toBe(true)
    expect(sameSecret(undefined, token)).toBe(false)
    expect(sameSecret(`${token}x`, token)).toBe(false)
    expect(sameSecret(token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), token)).toBe(false)
  })
})
