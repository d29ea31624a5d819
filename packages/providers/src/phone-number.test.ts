import { describe, expect, it } from 'vitest'
import {
  e164FromProviderDigits,
  InvalidPhoneNumberError,
  isNormalizablePhoneNumber,
  normalizePhoneNumber,
  providerDigitsFromE164,
} from './phone-number.js'

describe('normalizePhoneNumber', () => {
  it.each([
    ['333 123 4567', '+393331234567'],
    ['3331234567', '+393331234567'],
    ['+39 333 123 4567', '+393331234567'],
    ['0039 333 1234567', '+393331234567'],
    ['+39 (030) 678-1234', '+390306781234'],
    ['030 6781234', '+390306781234'],
    ['+1 650 555 1234', '+16505551234'],
  ])('reads %s as %s (default region IT)', (input, expected) => {
    expect(normalizePhoneNumber(input)).toBe(expected)
  })

  it('uses another default region when told', () => {
    expect(normalizePhoneNumber('650 555 1234', { defaultRegion: 'US' })).toBe('+16505551234')
  })

  it.each([
    ['abc', 'NOT_A_NUMBER'],
    ['+39333', 'NOT_VALID'],
    ['+1 555 078 3881', 'NOT_VALID'],
    ['', 'NOT_A_NUMBER'],
  ])('refuses %j with a named error, reason %s', (input, reason) => {
    try {
      normalizePhoneNumber(input)
      expect.unreachable('an invalid number was accepted')
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidPhoneNumberError)
      expect((error as InvalidPhoneNumberError).code).toBe('INVALID_PHONE_NUMBER')
      expect((error as InvalidPhoneNumberError).reason).toBe(reason)
    }
  })

  it('keeps the number out of the error message (messages reach logs)', () => {
    try {
      normalizePhoneNumber('+39 333 12')
      expect.unreachable('accepted')
    } catch (error) {
      expect((error as Error).message).not.toMatch(/333/)
    }
  })

  it('accepts merely possible numbers when asked (provider test ranges)', () => {
    expect(normalizePhoneNumber('+15550783881', { validation: 'possible' })).toBe('+15550783881')
    expect(isNormalizablePhoneNumber('+15550783881')).toBe(false)
    expect(isNormalizablePhoneNumber('+15550783881', { validation: 'possible' })).toBe(true)
  })
})

describe('provider digits', () => {
  it('turns Cloud API ids into E.164 and back', () => {
    expect(e164FromProviderDigits('393331234567')).toBe('+393331234567')
    expect(e164FromProviderDigits('15550783881')).toBe('+15550783881')
    expect(providerDigitsFromE164('+393331234567')).toBe('393331234567')
  })

  it('refuses ids that cannot be phone numbers', () => {
    expect(() => e164FromProviderDigits('12')).toThrow(InvalidPhoneNumberError)
  })

  it('gives the same answers from its cache, also past its bound, and never caches a refusal', () => {
    const first = e164FromProviderDigits('39 333 765 4321')
    for (let i = 0; i < 10_050; i++) {
      const digits = `3933300${String(i).padStart(5, '0')}`
      expect(e164FromProviderDigits(digits)).toBe(`+${digits}`)
    }
    expect(e164FromProviderDigits('39 333 765 4321')).toBe(first)
    expect(first).toBe('+393337654321')
    expect(e164FromProviderDigits('393330000001')).toBe('+393330000001')
    expect(() => e164FromProviderDigits('12')).toThrow(InvalidPhoneNumberError)
    expect(() => e164FromProviderDigits('12')).toThrow(InvalidPhoneNumberError)
  })
})
