import { describe, expect, it } from 'vitest'
import { ProviderError, redactPhoneNumbers, retryAfterMsFrom } from './provider-error.js'
import { classifyTwilioError, classifyTwilioErrorCode } from './twilio-error-classifier.js'
import { classifyWhatsAppError, classifyWhatsAppErrorCode } from './whatsapp-error-classifier.js'

describe('classifyWhatsAppError', () => {
  it.each([
    [130429, 'throttled'],
    [131056, 'throttled'],
    [80007, 'throttled'],
    [131026, 'permanent'],
    [131047, 'permanent'],
    [131050, 'permanent'],
    [131030, 'permanent'],
    [100, 'permanent'],
    [132000, 'permanent'],
    [132001, 'permanent'],
    [132016, 'permanent'],
    [190, 'permanent'],
    [10, 'permanent'],
    [200, 'permanent'],
    [131000, 'retryable'],
    [131016, 'retryable'],
    // Meta: a per-user limit, retry later with growing intervals.
    [131049, 'retryable'],
  ])('code %i is %s', (code, kind) => {
    expect(classifyWhatsAppError(400, code)).toBe(kind)
    expect(classifyWhatsAppErrorCode(code)).toBe(kind)
  })

  it('treats HTTP 429 as throttling whatever the code', () => {
    expect(classifyWhatsAppError(429, undefined)).toBe('throttled')
    expect(classifyWhatsAppError(429, 131026)).toBe('throttled')
  })

  it('falls back on the HTTP status for unknown codes', () => {
    expect(classifyWhatsAppError(500, undefined)).toBe('retryable')
    expect(classifyWhatsAppError(503, 999_999)).toBe('retryable')
    expect(classifyWhatsAppError(400, 999_999)).toBe('permanent')
    expect(classifyWhatsAppError(undefined, undefined)).toBe('retryable')
    expect(classifyWhatsAppErrorCode(132017)).toBeUndefined()
  })
})

describe('classifyTwilioError', () => {
  it.each([
    [20429, 429, 'throttled'],
    [20003, 401, 'permanent'],
    [21211, 400, 'permanent'],
    [21610, 400, 'permanent'],
    [30003, undefined, 'retryable'],
    [30007, undefined, 'permanent'],
    [30008, undefined, 'retryable'],
    [20500, 500, 'retryable'],
  ])('code %i (HTTP %s) is %s', (code, status, kind) => {
    expect(classifyTwilioError(status, code)).toBe(kind)
  })

  it('treats HTTP 429 as throttling and 5xx as retryable', () => {
    expect(classifyTwilioError(429, undefined)).toBe('throttled')
    expect(classifyTwilioError(502, undefined)).toBe('retryable')
    expect(classifyTwilioError(400, 29999)).toBe('permanent')
    expect(classifyTwilioErrorCode(29999)).toBeUndefined()
  })
})

describe('ProviderError', () => {
  it('carries code, kind, provider code, retry hint and cause', () => {
    const cause = { error: { code: 130429 } }
    const error = new ProviderError('throttled', {
      provider: 'whatsapp-cloud',
      kind: 'throttled',
      providerCode: '130429',
      httpStatus: 400,
      retryAfterMs: 1000,
      cause,
    })
    expect(error).toMatchObject({
      name: 'ProviderError',
      code: 'PROVIDER_ERROR',
      kind: 'throttled',
      providerCode: '130429',
      retryAfterMs: 1000,
      ambiguous: false,
    })
    expect(error.cause).toEqual(cause)
  })

  it('reads Retry-After in seconds and as a date', () => {
    expect(retryAfterMsFrom('2')).toBe(2000)
    expect(retryAfterMsFrom(new Date(10_000).toUTCString(), 4000)).toBe(6000)
    expect(retryAfterMsFrom('soon')).toBeUndefined()
    expect(retryAfterMsFrom(null)).toBeUndefined()
  })
})

describe('phone numbers stay out of provider errors', () => {
  it('masks numbers in message, title, detail and a JSON cause, keeping error codes', () => {
    const body = { code: 21211, message: "The 'To' number +39 333 123 4567 is not a valid phone number.", status: 400 }
    const error = new ProviderError(`sms-gateway: HTTP 400 ${body.message}`, {
      provider: 'sms-gateway',
      kind: 'permanent',
      providerCode: '21211',
      title: body.message,
      detail: 'recipient 393331234567',
      cause: body,
    })
    for (const text of [error.message, error.title, error.detail, JSON.stringify(error.cause)]) {
      expect(text).not.toMatch(/333/)
      expect(text).toContain('[number]')
    }
    expect(error.cause).toMatchObject({ code: 21211, status: 400 })
    expect(redactPhoneNumbers('(#131047) Re-engagement message')).toBe('(#131047) Re-engagement message')
  })
})
