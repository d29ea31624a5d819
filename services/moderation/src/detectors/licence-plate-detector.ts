/**
 * Italian car plates in the current format (since 1994): two letters, three digits, two letters,
 * never I, O, Q or U. Written upper case with or without spaces (`AB 123 CD`), or lower case
 * without spaces (`ab123cd`); lower case with spaces is too close to ordinary words and numbers.
 */

const LETTER = '[A-HJ-NPR-TV-Z]'
const UPPER = new RegExp(`(?<![A-Za-z0-9])${LETTER}{2} ?\\d{3} ?${LETTER}{2}(?![A-Za-z0-9])`, 'g')
const COMPACT = new RegExp(`(?<![A-Za-z0-9])${LETTER}{2}\\d{3}${LETTER}{2}(?![A-Za-z0-9])`, 'gi')

/** Every plate in a text, upper case without spaces. */
export function findLicencePlates(text: string): string[] {
  const found = new Set<string>()
  for (const pattern of [UPPER, COMPACT]) {
    for (const match of text.matchAll(pattern)) found.add(match[0].replace(/ /g, '').toUpperCase())
  }
  return [...found]
}
