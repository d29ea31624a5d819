/** E-mail addresses in a text, lower-cased, with their domain. */

const EMAIL = /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}._%+-]+@((?:[\p{L}\p{N}-]+\.)+\p{L}{2,})(?![\p{L}\p{N}-])/gu

export interface EmailAddress {
  readonly address: string
  readonly domain: string
}

export function findEmailAddresses(text: string): EmailAddress[] {
  const found: EmailAddress[] = []
  for (const match of text.matchAll(EMAIL)) {
    found.push({ address: match[0].toLowerCase(), domain: (match[1] as string).toLowerCase() })
  }
  return found
}
