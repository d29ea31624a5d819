import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { fixtureText } from './fixtures/fixture-loader.js'
import { answerWhatsAppSubscription, signWhatsAppPayload, verifyWhatsAppSignature } from './whatsapp-signature.js'

const secret = 'a3f1c9e0d2b84f6a9c7e5d3b1a0f2e4c'
const raw = fixtureText('whatsapp-text.json')

describe('X-Hub-Signature-256', () => {
  it('is sha256= hex HMAC-SHA256 of the raw bytes with the app secret', () => {
    const expected = `sha256=${createHmac('sha256', secret).update(Buffer.from(raw, 'utf8')).digest('hex')}`
    expect(signWhatsAppPayload(raw, secret)).toBe(expected)
    expect(signWhatsAppPayload(Buffer.from(raw, 'utf8'), secret)).toBe(expected)
  })

  it('accepts a good signature over the raw bytes', () => {
    expect(verifyWhatsAppSignature(Buffer.from(raw), signWhatsAppPayload(raw, secret), secret)).toEqual({ valid: true })
    expect(verifyWhatsAppSignature(raw, [signWhatsAppPayload(raw, secret)], secret)).toEqual({ valid: true })
  })

  it('accepts upper-case hex (the comparison is on bytes)', () => {
    const signature = signWhatsAppPayload(raw, secret)
    expect(verifyWhatsAppSignature(raw, `sha256=${signature.slice(7).toUpperCase()}`, secret).valid).toBe(true)
  })

  it('refuses a signature made with another secret', () => {
    expect(verifyWhatsAppSignature(raw, signWhatsAppPayload(raw, 'another-secret'), secret)).toEqual({
      valid: false,
      reason: 'mismatch',
    })
  })

  it('refuses a missing signature', () => {
    expect(verifyWhatsAppSignature(raw, undefined, secret)).toEqual({ valid: false, reason: 'missing' })
    expect(verifyWhatsAppSignature(raw, '', secret)).toEqual({ valid: false, reason: 'missing' })
  })

  it('refuses malformed headers without comparing (wrong prefix, wrong length)', () => {
    const hex = signWhatsAppPayload(raw, secret).slice(7)
    expect(verifyWhatsAppSignature(raw, `sha1=${hex}`, secret)).toEqual({ valid: false, reason: 'malformed' })
    expect(verifyWhatsAppSignature(raw, `sha256=${hex.slice(2)}`, secret)).toEqual({ valid: false, reason: 'malformed' })
    expect(verifyWhatsAppSignature(raw, `sha256=${hex}00`, secret)).toEqual({ valid: false, reason: 'malformed' })
  })

  it('refuses a tampered body, even a re-serialized one with the same content', () => {
    const signature = signWhatsAppPayload(raw, secret)
    expect(verifyWhatsAppSignature(raw.replace('iscrivermi', 'iscriverti'), signature, secret).valid).toBe(false)
    expect(verifyWhatsAppSignature(JSON.stringify(JSON.parse(raw)), signature, secret).valid).toBe(false)
  })
})

describe('answerWhatsAppSubscription', () => {
  const query = { 'hub.mode': 'subscribe', 'hub.verify_token': 'banditore-verify', 'hub.challenge': '1158201444' }

  it('echoes the challenge when mode and token match', () => {
    expect(answerWhatsAppSubscription(query, 'banditore-verify')).toEqual({ status: 200, body: '1158201444' })
    expect(answerWhatsAppSubscription(new URLSearchParams(query), 'banditore-verify')).toEqual({ status: 200, body: '1158201444' })
  })

  it('answers 403 to a wrong token, a wrong mode or no challenge', () => {
    expect(answerWhatsAppSubscription(query, 'other-token')).toEqual({ status: 403, body: '' })
    expect(answerWhatsAppSubscription({ ...query, 'hub.mode': 'unsubscribe' }, 'banditore-verify').status).toBe(403)
    expect(answerWhatsAppSubscription({ ...query, 'hub.challenge': undefined }, 'banditore-verify').status).toBe(403)
    expect(answerWhatsAppSubscription({}, 'banditore-verify').status).toBe(403)
  })
})
