import { stemItalian } from '../text/italian-stemmer.js'
import { normalizeText, squeeze } from '../text/text-normalizer.js'

/**
 * Word lists compiled for matching on normalized tokens (see text-normalizer.ts). A term is a
 * word (`cazzo`), a word prefix (`stronz*`: stronzo, stronza, stronzate) or a sequence of words
 * (`figlio di puttana`, `ti ammazz*`; only the last word of a sequence may be a prefix). A term
 * matches whole tokens in order, never a substring of a token. Every lexicon of a tenant goes
 * into one index, matched in one pass over the message.
 */

interface TermElement {
  /** The squeezed form. */
  readonly value: string
  readonly prefix: boolean
}

/** Why a term cannot be compiled; the loader turns it into a file/path/reason issue. */
export class LexiconTermError extends Error {
  readonly code = 'LEXICON_TERM_INVALID'
  constructor(
    readonly term: string,
    readonly reason: string,
  ) {
    super(`term "${term}": ${reason}`)
    this.name = 'LexiconTermError'
  }
}

// A prefix shorter than this matches far too many ordinary words (`cul*`: cultura, culla).
const MIN_PREFIX_LENGTH = 4
// Two adjacent tokens this short or shorter are also tried joined ("ca zzo", "m erda").
const MAX_SPLIT_PART = 3
// A token at least this long that is no word of any term is read as the one term word (of at
// least this length too) it is a typo of, if there is exactly one: a letter dropped (documnti),
// added (documeenti) or two adjacent letters swapped (evacutae). Never a letter replaced:
// corretto must not read corrotto.
const MIN_TYPO_LENGTH = 8

/** The form a word takes in the `stems` fact: its Italian stem, squeezed. */
export function stemForm(word: string): string {
  return squeeze(stemItalian(word))
}

/**
 * Parses one term into its normalized elements, or throws LexiconTermError. With `stemmed`, each
 * whole word becomes its stem (`ammazzare` → `ammazz`), so the term matches the `stems` fact in
 * every inflection; a prefix (`ammazz*`) stays a prefix of stems.
 */
export function parseTerm(term: string, stemmed = false): TermElement[] {
  const parts = term.trim().split(/\s+/)
  const elements: TermElement[] = []
  parts.forEach((part, index) => {
    const prefix = part.endsWith('*')
    const { words, tokens } = normalizeText(prefix ? part.slice(0, -1) : part)
    if (tokens.length === 0) throw new LexiconTermError(term, `"${part}" has no letters or digits`)
    if (prefix && index !== parts.length - 1) {
      throw new LexiconTermError(term, 'only the last word of a sequence may end with *')
    }
    tokens.forEach((value, i) => {
      if (value.length === 1 && (words[i]?.length ?? 0) > 1) {
        throw new LexiconTermError(term, `"${words[i]}" squeezes to the single letter "${value}", which would match ordinary text`)
      }
      const isPrefix = prefix && i === tokens.length - 1
      if (isPrefix && value.length < MIN_PREFIX_LENGTH) {
        throw new LexiconTermError(term, `a prefix needs at least ${MIN_PREFIX_LENGTH} letters, or it matches ordinary words`)
      }
      elements.push({ value: stemmed && !isPrefix ? stemForm(words[i] as string) : value, prefix: isPrefix })
    })
  })
  return elements
}

/** A masked token (`c*zzo`, `m**da`): every `*` stands for exactly one letter. */
function maskMatches(masked: string, word: string): boolean {
  if (masked.length !== word.length) return false
  for (let i = 0; i < masked.length; i++) {
    const c = masked[i]
    if (c !== '*' && c !== word[i]) return false
  }
  return true
}

/** Joins two squeezed tokens into the squeezed form of their concatenation. */
function joinSqueezed(a: string, b: string): string {
  return a[a.length - 1] === b[0] ? a + b.slice(1) : a + b
}

/** A number for a word's first MIN_PREFIX_LENGTH characters; equal prefixes, equal keys. */
function prefixKey(word: string): number {
  let key = 0
  for (let i = 0; i < MIN_PREFIX_LENGTH; i++) key = (key * 65_599 + word.charCodeAt(i)) | 0
  return key
}

interface Term {
  readonly lexicon: number
  readonly elements: readonly TermElement[]
  /** As written in the lexicon file, for explanations. */
  readonly text: string
}

/** What a message's tokens matched: per lexicon the distinct terms, and every occurrence. */
export interface LexiconMatches {
  /** Distinct terms found, by lexicon position. */
  readonly counts: Int32Array
  /** Occurrences as consecutive (lexicon, term, first token, last token) quadruples. */
  readonly hits: readonly number[]
}

export class LexiconIndex {
  private readonly names: string[] = []
  private readonly terms: Term[] = []
  private readonly exact = new Map<string, number[]>()
  /** Prefix terms by a hash of their first MIN_PREFIX_LENGTH letters (checked with startsWith). */
  private readonly prefixes = new Map<number, number[]>()
  /** Sequences by their first word (exact). */
  private readonly sequences = new Map<string, number[]>()
  /** Single-word terms in their squeezed and plain forms, for masked tokens. */
  private readonly maskable: { forms: string[]; term: number }[] = []

  /** Every word of every term (squeezed; stems in a stemmed index), for reading typos. */
  private readonly vocabulary = new Set<string>()
  /** Term words of MIN_TYPO_LENGTH + 1 letters or more with one letter dropped → the word (null: several). */
  private readonly dropped = new Map<string, string | null>()

  /** Per term, the call of countMatches that last found it: distinct terms without a Set. */
  private seen = new Int32Array(0)
  private call = 0

  /** `lexicons`: name → terms (a lexicon's terms in all the tenant's languages). */
  constructor(
    lexicons: ReadonlyMap<string, readonly string[]>,
    private readonly stemmed = false,
  ) {
    const add = <K>(map: Map<K, number[]>, key: K, term: number) => {
      const list = map.get(key)
      if (list) list.push(term)
      else map.set(key, [term])
    }
    for (const [name, terms] of lexicons) {
      const lexicon = this.names.push(name) - 1
      for (const text of terms) {
        const elements = parseTerm(text, stemmed)
        const first = elements[0] as TermElement
        const id = this.terms.push({ lexicon, elements, text }) - 1
        if (elements.length > 1) add(this.sequences, first.value, id)
        else if (first.prefix) add(this.prefixes, prefixKey(first.value), id)
        else {
          add(this.exact, first.value, id)
          if (!stemmed) this.maskable.push({ forms: [first.value, ...normalizeText(text).words], term: id })
        }
      }
    }
    this.seen = new Int32Array(this.terms.length)
    for (const term of this.terms) for (const element of term.elements) if (!element.prefix) this.vocabulary.add(element.value)
    for (const word of this.vocabulary) {
      if (word.length <= MIN_TYPO_LENGTH) continue
      for (let i = 0; i < word.length; i++) {
        const key = word.slice(0, i) + word.slice(i + 1)
        const known = this.dropped.get(key)
        this.dropped.set(key, known === undefined || known === word ? word : null)
      }
    }
  }

  /** The term word a token is a typo of (see MIN_TYPO_LENGTH), or the token itself. */
  private corrected(token: string): string {
    if (token.length < MIN_TYPO_LENGTH || this.vocabulary.has(token)) return token
    const candidates = new Set<string>()
    const dropped = this.dropped.get(token)
    if (dropped === null) return token
    if (dropped !== undefined) candidates.add(dropped)
    for (let i = 0; i < token.length; i++) {
      const added = token.slice(0, i) + token.slice(i + 1)
      if (added.length >= MIN_TYPO_LENGTH && this.vocabulary.has(added)) candidates.add(added)
      if (i + 1 < token.length && token[i] !== token[i + 1]) {
        const swapped = token.slice(0, i) + (token[i + 1] as string) + (token[i] as string) + token.slice(i + 2)
        if (this.vocabulary.has(swapped)) candidates.add(swapped)
      }
    }
    return candidates.size === 1 ? (candidates.values().next().value as string) : token
  }

  /** The lexicons of the index, in the order `countMatches` reports them. */
  lexiconNames(): readonly string[] {
    return this.names
  }

  /** The term as its lexicon file writes it. */
  termText(term: number): string {
    return (this.terms[term] as Term).text
  }

  /** For each lexicon (by position in lexiconNames), how many distinct terms occur in `tokens`. */
  countMatches(tokens: readonly string[]): Int32Array {
    return this.match(tokens).counts
  }

  /** Every term occurrence in `tokens`, and the distinct terms per lexicon. */
  match(written: readonly string[]): LexiconMatches {
    let tokens = written
    for (let i = 0; i < written.length; i++) {
      const token = written[i] as string
      const read = this.corrected(token)
      if (read === token) continue
      if (tokens === written) tokens = [...written]
      ;(tokens as string[])[i] = read
    }
    const counts = new Int32Array(this.names.length)
    const hits: number[] = []
    if (++this.call === 0x7fffffff) {
      // Two billion messages later: start the stamps again.
      this.seen.fill(0)
      this.call = 1
    }
    const call = this.call
    let at = 0
    let last = 0
    const hit = (term: number) => {
      hits.push((this.terms[term] as Term).lexicon, term, at, last)
      if (this.seen[term] === call) return
      this.seen[term] = call
      const lexicon = (this.terms[term] as Term).lexicon
      counts[lexicon] = (counts[lexicon] as number) + 1
    }
    const hitAll = (terms: readonly number[] | undefined) => {
      if (terms) for (let t = 0; t < terms.length; t++) hit(terms[t] as number)
    }
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string
      at = i
      last = i
      hitAll(this.exact.get(token))
      if (token.length >= MIN_PREFIX_LENGTH) {
        const candidates = this.prefixes.get(prefixKey(token))
        if (candidates) {
          for (const term of candidates) if (token.startsWith((this.terms[term] as Term).elements[0]?.value as string)) hit(term)
        }
      }
      const sequences = this.sequences.get(token)
      if (sequences) {
        for (const term of sequences) {
          const elements = (this.terms[term] as Term).elements
          if (this.sequenceAt(tokens, i, elements)) {
            last = i + elements.length - 1
            hit(term)
          }
        }
        last = i
      }
      const next = tokens[i + 1]
      if (!this.stemmed && next !== undefined && token.length <= MAX_SPLIT_PART && next.length <= MAX_SPLIT_PART) {
        last = i + 1
        hitAll(this.exact.get(joinSqueezed(token, next)))
        last = i
      }
      if (!this.stemmed && token.includes('*')) {
        for (const entry of this.maskable) if (entry.forms.some((form) => maskMatches(token, form))) hit(entry.term)
      }
    }
    return { counts, hits }
  }

  private sequenceAt(tokens: readonly string[], start: number, elements: readonly TermElement[]): boolean {
    if (start + elements.length > tokens.length) return false
    for (let j = 1; j < elements.length; j++) {
      const element = elements[j] as TermElement
      const token = tokens[start + j] as string
      if (element.prefix ? !token.startsWith(element.value) : token !== element.value) return false
    }
    return true
  }
}
