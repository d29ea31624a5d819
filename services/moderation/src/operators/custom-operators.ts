import type { Engine } from 'json-rules-engine'
import { isDomainWithin } from '../detectors/link-detector.js'
import type { LexiconSet } from '../lexicon/lexicon-library.js'

/**
 * The operators registered in code (see operator-catalog.ts for their contracts). They are pure
 * functions of the fact and the value: the engine's verdict memo (tenant-engine.ts) relies on it.
 */

type LexiconReference = string | readonly string[] | { lexicons: readonly string[]; atLeast: number }

/** The lexicon names and minimum count a containsLexicon value stands for. */
export function readLexiconReference(value: LexiconReference): { names: readonly string[]; atLeast: number } {
  if (typeof value === 'string') return { names: [value], atLeast: 1 }
  if (Array.isArray(value)) return { names: value as readonly string[], atLeast: 1 }
  const { lexicons, atLeast } = value as { lexicons: readonly string[]; atLeast: number }
  return { names: lexicons, atLeast }
}

/** A containsNear value: a term of `first`, then within `within` words a term of `then`. */
export interface NearReference {
  readonly first: string | readonly string[]
  readonly then: string | readonly string[]
  readonly within?: number
  readonly ordered?: boolean
}

const asList = (v: string | readonly string[]) => (typeof v === 'string' ? [v] : v)

export function readNearReference(value: NearReference): { first: readonly string[]; then: readonly string[]; within: number; ordered: boolean } {
  return { first: asList(value.first), then: asList(value.then), within: value.within ?? 3, ordered: value.ordered ?? true }
}

const patternCache = new Map<string, RegExp>()

/** The flags every matchesAny pattern is compiled with. */
export const PATTERN_FLAGS = 'iu'

/** One regular expression for a list of patterns, compiled once per distinct list. */
export function compilePatterns(patterns: readonly string[]): RegExp {
  const key = patterns.join('\u0000')
  let regex = patternCache.get(key)
  if (!regex) {
    regex = new RegExp(patterns.map((p) => `(?:${p})`).join('|'), PATTERN_FLAGS)
    patternCache.set(key, regex)
  }
  return regex
}

const isStringArray = (value: unknown): value is readonly string[] => Array.isArray(value)

export function registerCustomOperators(engine: Engine, lexicons: LexiconSet): void {
  engine.addOperator<readonly string[], LexiconReference>('containsLexicon', (tokens, value) => {
    if (!isStringArray(tokens)) return false
    const { names, atLeast } = readLexiconReference(value)
    return lexicons.countMatches(tokens, names) >= atLeast
  })
  engine.addOperator<readonly string[], NearReference>('containsNear', (tokens, value) => {
    if (!isStringArray(tokens)) return false
    const { first, then, within, ordered } = readNearReference(value)
    return lexicons.near(tokens, first, then, within, ordered)
  })
  engine.addOperator<string, readonly string[]>('matchesAny', (text, patterns) => {
    return typeof text === 'string' && compilePatterns(patterns).test(text)
  })
  engine.addOperator<readonly string[], readonly string[]>('intersects', (items, values) => {
    return isStringArray(items) && items.some((item) => values.includes(item))
  })
  engine.addOperator<readonly string[], readonly string[]>('anyDomainOutside', (domains, allowed) => {
    return isStringArray(domains) && domains.some((domain) => !allowed.some((a) => isDomainWithin(domain, a)))
  })
}
