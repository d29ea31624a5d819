/**
 * International bank account numbers (ISO 13616): country, two check digits, then the national
 * account number; valid when the number read as digits (letters A=10 … Z=35), with the first four
 * characters moved to the end, leaves remainder 1 modulo 97. Citizens often write them in groups
 * of four separated by spaces.
 */

// Lengths of the countries Italian citizens are likely to quote; others need 15 to 34 characters.
const LENGTHS: Readonly<Record<string, number>> = {
  IT: 27, SM: 27, VA: 22, FR: 27, DE: 22, ES: 24, CH: 21, AT: 20, BE: 16, NL: 18, PT: 25, GB: 22,
  IE: 22, LU: 20, MC: 27, SI: 19, HR: 21, RO: 24, PL: 28, GR: 27, LT: 20, MT: 31, AL: 28,
}
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])/g

function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4)
  let remainder = 0
  for (const c of rearranged) {
    const code = c.charCodeAt(0)
    const value = code <= 57 ? code - 48 : code - 55
    remainder = value < 10 ? (remainder * 10 + value) % 97 : (remainder * 100 + value) % 97
  }
  return remainder
}

/** True for an IBAN (spaces allowed, any letter case) with the right length and checksum. */
export function isValidIban(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '').toUpperCase()
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return false
  const expected = LENGTHS[iban.slice(0, 2)]
  if (expected !== undefined ? iban.length !== expected : iban.length < 15 || iban.length > 34) return false
  return mod97(iban) === 1
}

/** Every valid IBAN in a text, compact and upper-cased. */
export function findIbans(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(CANDIDATE)) {
    // A greedy match may run into the next word ("IT60 X054 ... 456 grazie"): try shorter ends.
    let candidate = match[0]
    while (candidate.length >= 15) {
      if (isValidIban(candidate)) {
        found.push(candidate.replace(/ /g, '').toUpperCase())
        break
      }
      const cut = candidate.lastIndexOf(' ')
      if (cut < 0) break
      candidate = candidate.slice(0, cut)
    }
  }
  return found
}
