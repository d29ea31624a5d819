/**
 * Italian phone numbers as citizens write them: mobiles (3xx and 6 or 7 more digits), landlines
 * (0, an area code, 6 to 11 digits in all), toll-free 80x numbers, with or without +39/0039 and
 * with spaces, dots, dashes or a slash after the area code; foreign numbers written with `+`.
 * Dates, times, amounts with thousands dots and long digit runs (IBANs, protocol numbers) are not
 * phone numbers.
 */

// A run of digits with single separators, not inside a longer alphanumeric run.
const CANDIDATE = /(?<![\p{L}\p{N}+])(?:\+|\b00)?\d(?:[ .\-/]?\d){5,15}(?![\p{L}\p{N}])/gu
const DATE = /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/
const THOUSANDS = /^\d{1,3}(?:\.\d{3})+$/
const MOBILE = /^3\d{8,9}$/
const LANDLINE = /^0[1-9]\d{4,9}$/
const TOLL_FREE = /^80[0-3]\d{3,7}$/

function classify(candidate: string): string | undefined {
  if (DATE.test(candidate) || THOUSANDS.test(candidate)) return undefined
  const slash = candidate.indexOf('/')
  // "0331/123456" is a number; "12/2024" or "0012345/2024" is a reference.
  if (slash >= 0 && !/^(?:\+39|0039)?\s?0[1-9]\d{0,2}$/.test(candidate.slice(0, slash).trim())) return undefined
  const digits = candidate.replace(/\D/g, '')
  let national = digits
  if (candidate.startsWith('+') || candidate.startsWith('00')) {
    const international = candidate.startsWith('+') ? digits : digits.slice(2)
    // E.164: at most 15 digits with the country code.
    if (international.length > 15) return undefined
    if (!international.startsWith('39')) return international.length >= 8 ? `+${international}` : undefined
    national = international.slice(2)
  }
  // Longer runs are account or protocol numbers, not Italian phone numbers.
  if (national.length > 11) return undefined
  if (MOBILE.test(national) || LANDLINE.test(national) || TOLL_FREE.test(national)) return `+39${national}`
  return undefined
}

/** Every phone number in a text, in E.164. */
export function findPhoneNumbers(text: string): string[] {
  const found: string[] = []
  for (const match of text.matchAll(CANDIDATE)) {
    const number = classify(match[0].trim())
    if (number) found.push(number)
  }
  return found
}
