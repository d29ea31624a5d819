import { describe, expect, it } from 'vitest'
import { findIbans, isValidIban } from './iban-detector.js'

describe('IBAN', () => {
  it('accepts IBANs whose mod-97 checksum is right, compact or in groups, any case', () => {
    for (const iban of [
      'IT60X0542811101000000123456',
      'IT60 X054 2811 1010 0000 0123 456',
      'it60x0542811101000000123456',
      'DE89370400440532013000',
      'GB82WEST12345698765432',
      'FR1420041010050500013M02606',
    ]) {
      expect(isValidIban(iban), iban).toBe(true)
    }
  })

  it('refuses a wrong checksum or a wrong length for the country', () => {
    expect(isValidIban('IT60X0542811101000000123457')).toBe(false)
    expect(isValidIban('IT61X0542811101000000123456')).toBe(false)
    expect(isValidIban('IT60X054281110100000012345')).toBe(false) // 26 characters: Italy has 27
    expect(isValidIban('XX00')).toBe(false)
  })

  it('finds IBANs in a sentence, even written in groups followed by words', () => {
    expect(findIbans('bonifico su IT60 X054 2811 1010 0000 0123 456 grazie mille')).toEqual(['IT60X0542811101000000123456'])
    expect(findIbans('il mio è IT60X0542811101000000123457 ma non so')).toEqual([])
  })
})
