import twilio from 'twilio'
import { describe, expect, it } from 'vitest'
import { fixtureText } from './fixtures/fixture-loader.js'
import { parseFormBody } from './form-params.js'
import { computeTwilioSignature, parseTwilioSignatureSettings, verifyTwilioSignature } from './twilio-signature.js'

const authToken = '12345678901234567890123456789012'
const params = parseFormBody(fixtureText('twilio-inbound-sms.form'))

// The official helpers (CommonJS default export of the `twilio` package).
const { getExpectedTwilioSignature, validateRequest } = twilio as unknown as {
  getExpectedTwilioSignature: (token: string, url: string, params: Record<string, unknown>) => string
  validateRequest: (token: string, signature: string, url: string, params: Record<string, unknown>) => boolean
}

const urls = [
  'https://banditore.example.it/webhooks/sms',
  'https://banditore.example.it/webhooks/sms/status?correlation=ledger-42&tenant=calcinato',
  'https://banditore.example.it:8443/webhooks/sms?a=1&b=%C3%A8+x',
  'http://127.0.0.1:4000/webhooks/sms',
]

describe('computeTwilioSignature matches the official twilio package', () => {
  it.each(urls)('for %s', (url) => {
    expect(computeTwilioSignature(authToken, url, params)).toBe(getExpectedTwilioSignature(authToken, url, params))
  })

  it('for every fixture body', () => {
    for (const name of ['twilio-inbound-mms.form', 'twilio-inbound-stop.form', 'twilio-status-undelivered.form']) {
      const body = parseFormBody(fixtureText(name))
      const url = urls[1] ?? ''
      expect(computeTwilioSignature(authToken, url, body)).toBe(getExpectedTwilioSignature(authToken, url, body))
    }
  })

  it('for repeated parameters (values deduplicated and sorted)', () => {
    const repeated = { To: '+393331234567', MediaUrl: ['https://b.example/2.jpg', 'https://a.example/1.jpg', 'https://a.example/1.jpg'] }
    expect(computeTwilioSignature(authToken, urls[0] ?? '', repeated)).toBe(getExpectedTwilioSignature(authToken, urls[0] ?? '', repeated))
  })

  it('for a GET-style request with no body params', () => {
    expect(computeTwilioSignature(authToken, urls[1] ?? '', {})).toBe(getExpectedTwilioSignature(authToken, urls[1] ?? '', {}))
  })
})

describe('verifyTwilioSignature', () => {
  it.each(urls)('accepts what the official package signs, and agrees with validateRequest (%s)', (url) => {
    const signature = getExpectedTwilioSignature(authToken, url, params)
    expect(verifyTwilioSignature(authToken, signature, url, params)).toEqual({ valid: true })
    expect(validateRequest(authToken, signature, url, params)).toBe(true)
  })

  it('accepts a URL whose default port a proxy added or removed, like validateRequest', () => {
    const signed = 'https://banditore.example.it/webhooks/sms?correlation=ledger-42'
    const received = 'https://banditore.example.it:443/webhooks/sms?correlation=ledger-42'
    const signature = computeTwilioSignature(authToken, signed, params)
    expect(verifyTwilioSignature(authToken, signature, received, params).valid).toBe(true)
    expect(validateRequest(authToken, signature, received, params)).toBe(true)
    const back = computeTwilioSignature(authToken, received, params)
    expect(verifyTwilioSignature(authToken, back, signed, params).valid).toBe(true)
  })

  it('refuses a wrong token, a tampered body, another query string', () => {
    const url = urls[1] ?? ''
    const signature = computeTwilioSignature(authToken, url, params)
    expect(verifyTwilioSignature('00000000000000000000000000000000', signature, url, params)).toEqual({ valid: false, reason: 'mismatch' })
    expect(verifyTwilioSignature(authToken, signature, url, { ...params, Body: 'CANCELLAMI' })).toEqual({ valid: false, reason: 'mismatch' })
    expect(verifyTwilioSignature(authToken, signature, url.replace('ledger-42', 'ledger-43'), params).valid).toBe(false)
    expect(validateRequest(authToken, signature, url.replace('ledger-42', 'ledger-43'), params)).toBe(false)
  })

  it('refuses missing and malformed headers', () => {
    expect(verifyTwilioSignature(authToken, undefined, urls[0] ?? '', params)).toEqual({ valid: false, reason: 'missing' })
    expect(verifyTwilioSignature(authToken, '', urls[0] ?? '', params)).toEqual({ valid: false, reason: 'missing' })
    expect(verifyTwilioSignature(authToken, 'not-base64!', urls[0] ?? '', params)).toEqual({ valid: false, reason: 'malformed' })
    const signature = computeTwilioSignature(authToken, urls[0] ?? '', params)
    expect(verifyTwilioSignature(authToken, signature.slice(1), urls[0] ?? '', params)).toEqual({ valid: false, reason: 'malformed' })
  })
})

// Twilio's documented request-validation example (twilio.com/docs/usage/security, the
// api-snippets `signature_validation` sample): auth token 12345, this URL and these parameters.
const documented = {
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' },
  sha1: 'GvWf1cFY/Q7PnoempGyD5oXAezc=',
  // The same string (URL + sorted name/value pairs) under HMAC-SHA256, base64, computed
  // independently (Python's hmac): what a Webhook Setting with the shared key `12345` sends.
  sha256: '/Px0ZZziCxf9Zt7wehmYS+fbCh+oLQi2VrfCqcV1vPM=',
}

describe("Twilio's HMAC-SHA256 signature variant (X-Twilio-Webhooks-Signature-Settings)", () => {
  it('signs the documented example as Twilio documents it, SHA-1 and SHA-256', () => {
    expect(computeTwilioSignature('12345', documented.url, documented.params)).toBe(documented.sha1)
    expect(computeTwilioSignature('12345', documented.url, documented.params, 'HMAC_SHA256')).toBe(documented.sha256)
  })

  it('verifies a SHA-256 signature only as SHA-256, with the shared key', () => {
    expect(verifyTwilioSignature('12345', documented.sha256, documented.url, documented.params, 'HMAC_SHA256')).toEqual({ valid: true })
    expect(verifyTwilioSignature('54321', documented.sha256, documented.url, documented.params, 'HMAC_SHA256')).toEqual({ valid: false, reason: 'mismatch' })
    // A SHA-256 signature is not a SHA-1 one, and the other way round.
    expect(verifyTwilioSignature('12345', documented.sha256, documented.url, documented.params)).toEqual({ valid: false, reason: 'malformed' })
    expect(verifyTwilioSignature('12345', documented.sha1, documented.url, documented.params, 'HMAC_SHA256')).toEqual({ valid: false, reason: 'malformed' })
  })

  it('reads the settings header', () => {
    expect(parseTwilioSignatureSettings(undefined)).toEqual({ present: false, algorithm: 'HMAC_SHA1' })
    expect(parseTwilioSignatureSettings('key=webhooks_key_01,algorithm=HMAC_SHA256')).toEqual({ present: true, key: 'webhooks_key_01', algorithm: 'HMAC_SHA256' })
    expect(parseTwilioSignatureSettings('key=, algorithm=HMAC_SHA256')).toEqual({ present: true, key: '', algorithm: 'HMAC_SHA256' })
    expect(parseTwilioSignatureSettings('key=k,algorithm=HMAC_MD5')).toBeUndefined()
    expect(parseTwilioSignatureSettings('garbage')).toBeUndefined()
  })
})
