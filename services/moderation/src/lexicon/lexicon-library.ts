import { LexiconIndex } from './lexicon-matcher.js'

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
  private readonly perMessage = new WeakMap<readonly string[], Int32Array>()
  private readonly positions: ReadonlyMap<string, number>

  constructor(private readonly index: LexiconIndex) {
    this.positions = new Map(index.lexiconNames().map((name, i) => [name, i]))
  }

  has(name: string): boolean {
    return this.positions.has(name)
  }

  /** Distinct terms of the named lexicons found in `tokens` (summed over the lexicons). */
  countMatches(tokens: readonly string[], names: readonly string[]): number {
    let counts = this.perMessage.get(tokens)
    if (!counts) {
      counts = this.index.countMatches(tokens)
      this.perMessage.set(tokens, counts)
    }
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
      set = new LexiconSet(new LexiconIndex(lexicons))
      this.sets.set(key, set)
    }
    return set
  }
}
