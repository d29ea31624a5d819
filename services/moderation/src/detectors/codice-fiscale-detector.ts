/**
 * The Italian tax code (codice fiscale) of a person: 16 characters, six letters of surname and
 * name, birth year, month letter, day (+40 for women), municipality code, and a check letter
 * computed from the first 15. Digits may be replaced by letters (omocodia) when two people would
 * otherwise share a code, so the numeric positions also accept L M N P Q R S T U V.
 */

const OMOCODIA = 'LMNPQRSTUV'
const DIGIT = `[0-9${OMOCODIA}]`
const MONTHS = 'ABCDEHLMPRST'
const SHAPE = new RegExp(
  `^[A-Z]{6}${DIGIT}{2}[${MONTHS}]${DIGIT}{2}[A-Z]${DIGIT}{3}[A-Z]$`,
)
const CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{6}[0-9A-Za-z]{2}[A-Za-z][0-9A-Za-z]{2}[A-Za-z][0-9A-Za-z]{3}[A-Za-z](?![A-Za-z0-9])/g

// Values of a character in an odd position (1st, 3rd, ...), for digits 0-9 and letters A-Z alike.
const ODD_VALUES = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23]

function indexOf(c: string): number {
  const code = c.charCodeAt(0)
  return code <= 57 ? code - 48 : code - 65
}

/** The check letter of the first 15 characters of an upper-case codice fiscale. */
export function codiceFiscaleCheckLetter(first15: string): string {
  let sum = 0
  for (let i = 0; i < 15; i++) {
    const value = indexOf(first15[i] as string)
    sum += i % 2 === 0 ? (ODD_VALUES[value] as number) : value
  }
  return String.fromCharCode(65 + (sum % 26))
}

/** True for a well-formed codice fiscale whose check letter is right (any letter case). */
export function isValidCodiceFiscale(candidate: string): boolean {
  const code = candidate.toUpperCase()
  if (!SHAPE.test(code)) return false
  const day = Number(
    [code[9], code[10]].map((c) => (OMOCODIA.includes(c as string) ? OMOCODIA.indexOf(c as string) : c)).join(''),
  )
  if (!((day >= 1 && day <= 31) || (day >= 41 && day <= 71))) return false
  return codiceFiscaleCheckLetter(code.slice(0, 15)) === code[15]
}

/** Every valid codice fiscale in a text, upper-cased. */
export function findCodiciFiscali(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(CANDIDATE)) {
    if (isValidCodiceFiscale(match[0])) found.push(match[0].toUpperCase())
  }
  return found
}
