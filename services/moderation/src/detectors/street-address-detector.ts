/**
 * Street addresses with a house number: a street word (via, piazza, corso, località, frazione,
 * and the French rue, chemin, route, hameau of the Aosta Valley), a name of up to five words, an
 * optional comma or "n.", then the number (`3`, `12/b`, `7A`). "via Roma 3" is found whoever it
 * belongs to: whether it is someone's home is the rules' business (see the residence-cue lexicon).
 */

const STREET_WORDS = [
  'via', 'viale', 'v\\.le', 'piazza', 'p\\.zza', 'p\\.za', 'piazzale', 'corso', 'c\\.so', 'largo',
  'vicolo', 'strada', 'contrada', 'localit[aà]', 'loc\\.', 'frazione', 'fraz\\.', 'borgo', 'rue',
  'chemin', 'route', 'hameau',
].join('|')
const NAME_WORD = "[\\p{L}\\p{N}'’.]+"
const ADDRESS = new RegExp(
  `(?<![\\p{L}])(?:${STREET_WORDS})\\s+((?:${NAME_WORD}\\s+){0,4}?\\p{L}[\\p{L}'’.]*)\\s*,?\\s*(?:n\\.?\\s*|n°\\s*|civico\\s+)?(\\d{1,4}(?:\\s?[a-z]\\b)?(?:\\/[a-z0-9]{1,3})?)(?![\\p{N}:.,]\\d)`,
  'giu',
)
// A time or a quantity after a street name is not a house number: "via Roma alle 3".
const NOT_A_NAME_END = new Set(['alle', 'ore', 'dalle', 'entro', 'le', 'il', 'dal', 'al', 'del', 'fino', 'per', 'da', 'di', 'a', 'e', 'tra', 'fra', 'con'])

export interface StreetAddress {
  readonly street: string
  readonly number: string
}

export function findStreetAddresses(text: string): StreetAddress[] {
  const found: StreetAddress[] = []
  for (const match of text.matchAll(ADDRESS)) {
    const name = match[1] as string
    const last = name.split(/\s+/).at(-1)?.toLowerCase() ?? ''
    if (NOT_A_NAME_END.has(last)) continue
    const street = match[0].slice(0, match[0].length - (match[2] as string).length)
    found.push({ street: street.replace(/[\s,]*(?:n\.?|n°|civico)?\s*$/iu, ''), number: match[2] as string })
  }
  return found
}
