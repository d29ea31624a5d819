import { describe, expect, it } from 'vitest'
import { codiceFiscaleCheckLetter, findCodiciFiscali, isValidCodiceFiscale } from './codice-fiscale-detector.js'

// Check letters worked out independently of this implementation.
const KNOWN = ['MRTMTT25D09F205Z', 'RSSMRA85T10A562S', 'BNCGNN70A41H501V']

describe('codice fiscale', () => {
  it('accepts codes whose check letter is right, in any case', () => {
    for (const code of KNOWN) {
      expect(isValidCodiceFiscale(code), code).toBe(true)
      expect(isValidCodiceFiscale(code.toLowerCase()), code).toBe(true)
      expect(codiceFiscaleCheckLetter(code.slice(0, 15))).toBe(code[15])
    }
  })

  it('accepts omocodia: digits replaced by letters, with their own check letter', () => {
    // MRTMTT25D09F205Z with the last digit 5 written R (omocodia) has check letter U.
    expect(isValidCodiceFiscale('MRTMTT25D09F20RU')).toBe(true)
    expect(isValidCodiceFiscale('MRTMTT25D09F20RZ')).toBe(false)
  })

  it('refuses a wrong check letter, an impossible day or month, a wrong shape', () => {
    expect(isValidCodiceFiscale('MRTMTT25D09F205A')).toBe(false)
    expect(isValidCodiceFiscale('MRTMTT25D32F205Z')).toBe(false) // day 32
    expect(isValidCodiceFiscale('MRTMTT25Z09F205Z')).toBe(false) // no month Z
    expect(isValidCodiceFiscale('MRTMTT25D09F205')).toBe(false)
    expect(isValidCodiceFiscale('1RTMTT25D09F205Z')).toBe(false)
  })

  it('finds valid codes in text, not inside longer words', () => {
    expect(findCodiciFiscali('il cf è mrtmtt25d09f205z, grazie')).toEqual(['MRTMTT25D09F205Z'])
    expect(findCodiciFiscali('codice XMRTMTT25D09F205Z e MRTMTT25D09F205A')).toEqual([])
  })
})
