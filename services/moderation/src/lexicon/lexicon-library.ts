import { LexiconIndex, type LexiconMatches } from './lexicon-matcher.js'

/**
 * Token arrays that are stems (the `stems` fact): lexicons match them with their terms stemmed.
 * A WeakSet, because the operator sees only the fact's value.
 */
const STEMMED = new WeakSet<readonly string[]>()

export function markStemmed(stems: readonly string[]): readonly string[] {
  STEMMED.add(stems)
  return stems
}

/** One occurrence of a lexicon term in a message, for explanations. */
export interface TermOccurrence {
  readonly lexicon: string
  readonly term: string
  /** The words of the message it covers, first and last (token positions). */
  readonly from: number
  readonly to: number
}

/** One word-list file, `rules/lexicon/<language>/<name>.json`, after validation. */
export interface LexiconDocument {
  readonly name: string
  readonly language: string
  readonly description: string
  readonly terms: readonly string[]
}

/**
 * The lexicons of one tenant's languages: a lexicon named in a rule is the union of the files of
 * that name in each language (Gressan matches `vulgar` in Italian and French). A message is
 * matched against all of them once, on the first condition that asks, and the counts are kept
 * with its `tokens` array for the other conditions.
 */
export class LexiconSet {
  private readonly perMessage = new WeakMap<readonly string[], LexiconMatches>()
  private readonly positions: ReadonlyMap<string, number>

  constructor(
    private readonly index: LexiconIndex,
    private readonly stemIndex: LexiconIndex,
  ) {
    this.positions = new Map(index.lexiconNames().map((name, i) => [name, i]))
  }

  private matches(tokens: readonly string[]): LexiconMatches {
    let found = this.perMessage.get(tokens)
    if (!found) {
      found = (STEMMED.has(tokens) ? this.stemIndex : this.index).match(tokens)
      this.perMessage.set(tokens, found)
    }
    return found
  }

  /** Every occurrence of a term of the named lexicons, in token order. */
  occurrences(tokens: readonly string[], names: readonly string[]): TermOccurrence[] {
    const index = STEMMED.has(tokens) ? this.stemIndex : this.index
    const wanted = new Set(names.map((n) => this.positions.get(n)))
    const { hits } = this.matches(tokens)
    const out: TermOccurrence[] = []
    for (let i = 0; i < hits.length; i += 4) {
      if (!wanted.has(hits[i] as number)) continue
      out.push({ lexicon: index.lexiconNames()[hits[i] as number] as string, term: index.termText(hits[i + 1] as number), from: hits[i + 2] as number, to: hits[i + 3] as number })
    }
    return out.sort((a, b) => a.from - b.from)
  }

  /**
   * A term of `first` followed, at most `within` words after its end, by a term of `then`
   * (`then` may also come first when `ordered` is false).
   */
  near(tokens: readonly string[], first: readonly string[], then: readonly string[], within: number, ordered: boolean): boolean {
    const a = this.occurrences(tokens, first)
    if (a.length === 0) return false
    const b = this.occurrences(tokens, then)
    for (const x of a) {
      for (const y of b) {
        if (y.from > x.to && y.from - x.to <= within) return true
        if (!ordered && x.from > y.to && x.from - y.to <= within) return true
      }
    }
    return false
  }

  has(name: string): boolean {
    return this.positions.has(name)
  }

  /** Distinct terms of the named lexicons found in `tokens` (summed over the lexicons). */
  countMatches(tokens: readonly string[], names: readonly string[]): number {
    const { counts } = this.matches(tokens)
    let total = 0
    for (const name of names) {
      const position = this.positions.get(name)
      if (position !== undefined) total += counts[position] as number
    }
    return total
  }
}

/** Every lexicon document of a ruleset, compiled per set of languages on first use. */
export class LexiconLibrary {
  private readonly byName = new Map<string, LexiconDocument[]>()
  private readonly sets = new Map<string, LexiconSet>()

  constructor(documents: readonly LexiconDocument[]) {
    for (const document of documents) {
      const list = this.byName.get(document.name) ?? []
      list.push(document)
      this.byName.set(document.name, list)
    }
  }

  /** The languages that have a lexicon of this name. */
  languagesOf(name: string): string[] {
    return (this.byName.get(name) ?? []).map((d) => d.language)
  }

  forLanguages(languages: readonly string[]): LexiconSet {
    const key = [...languages].sort().join(',')
    let set = this.sets.get(key)
    if (!set) {
      const lexicons = new Map<string, string[]>()
      for (const [name, documents] of this.byName) {
        const terms = documents.filter((d) => languages.includes(d.language)).flatMap((d) => d.terms)
        if (terms.length > 0) lexicons.set(name, terms)
      }
      set = new LexiconSet(new LexiconIndex(lexicons), new LexiconIndex(lexicons, true))
      this.sets.set(key, set)
    }
    return set
  }
}
