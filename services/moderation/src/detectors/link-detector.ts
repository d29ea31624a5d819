/**
 * Links in a text: `http(s)://` URLs, `www.` hosts and bare domains with a common top-level
 * domain (`bit.ly/x`, `offerte.shop`). Domains are lower case without `www.`; the host of an
 * e-mail address is not a link.
 */

const TLDS = [
  'it', 'com', 'net', 'org', 'eu', 'info', 'ly', 'io', 'me', 'co', 'biz', 'xyz', 'top', 'shop',
  'online', 'site', 'fr', 'ch', 'de', 'uk', 'app', 'link', 'gl', 'to', 'tv', 'ru', 'cn', 'gov',
  'edu', 'store', 'click', 'live', 'ws', 'news', 'club', 'vip', 'page', 'es', 'at', 'be', 'nl',
].join('|')
const LINK = new RegExp(
  `(?<![\\p{L}\\p{N}@._-])(?:https?:\\/\\/([^\\s/?#<>"']+)[^\\s<>"']*|((?:www\\.)?(?:[a-z0-9-]*[a-z][a-z0-9-]*\\.)+(?:${TLDS}))(?![\\p{L}\\p{N}-])(?:[/?#][^\\s<>"']*)?)`,
  'giu',
)

export interface Link {
  readonly url: string
  readonly domain: string
}

function domainOf(host: string): string {
  return host
    .toLowerCase()
    .replace(/^[^@]*@/, '')
    .replace(/:\d+$/, '')
    .replace(/^www\./, '')
    .replace(/\.$/, '')
}

export function findLinks(text: string): Link[] {
  const found: Link[] = []
  for (const match of text.matchAll(LINK)) {
    const host = match[1] ?? match[2]
    if (!host) continue
    // Trailing punctuation belongs to the sentence, not to the URL.
    found.push({ url: match[0].replace(/[.,;:!?)\]]+$/, ''), domain: domainOf(host) })
  }
  return found
}

/** True when `domain` is `allowed` or one of its subdomains. */
export function isDomainWithin(domain: string, allowed: string): boolean {
  const base = allowed.toLowerCase().replace(/^www\./, '')
  return domain === base || domain.endsWith(`.${base}`)
}
