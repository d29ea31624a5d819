/**
 * Normalization of citizens' text for word-list matching. Lexicon terms go through the same
 * functions, so a term and a message meet in one form: lower case, no accents, leetspeak decoded
 * inside words (`m3rd4` → `merda`), letters spaced out with blanks or punctuation joined
 * (`c.a.z.z.o`, `c a z z o` → `cazzo`) and, in the matching form, every run of a repeated letter
 * squeezed to one (`cazzzzo` and `cazzo` → `cazo`). Matching is on whole tokens, never on raw
 * substrings, so `Scunthorpe`, `cultura` or `analisi` never match a short vulgar word. The
 * common SMS spellings of short words are written out (`nn` → `non`, `x` → `per`, `ke` → `che`),
 * so one term covers both ways of writing it.
 */

export interface NormalizedText {
  /** Words in order: lower case, no accents, leetspeak decoded, spaced-out letters joined. */
  readonly words: readonly string[]
  /** `words` with every run of one repeated letter squeezed: the form lexicons match on. */
  readonly tokens: readonly string[]
  /** `words` joined by single spaces: the form `matchesAny` patterns are written against. */
  readonly text: string
}

// Characters that stand for letters inside a word. Digits are decoded only in a token that also
// has a letter, so "via Roma 3" and "ore 15" keep their numbers.
const LEET: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
}
const LEET_CHARS = /[013457@$]/g
const HAS_LETTER = /\p{L}/u
const ELISIONS = new Set(["'", '’', '`'])
const COMBINING_MARKS = /\p{M}+/gu
const REPEATED_LETTER = /(\p{L})\1+/gu
// Runs of this many one-letter tokens are one spaced-out word ("c a z z o"): two would join
// ordinary pairs such as "e a".
const MIN_SPACED_RUN = 3

const NON_ASCII = /[\u0080-\uffff]/

// SMS spellings of short words, each replaced by the one word it stands for (so word positions
// stay those of the message). Only forms that are not Italian words themselves.
const SMS_WORDS: ReadonlyMap<string, string> = new Map([
  ['nn', 'non'],
  ['x', 'per'],
  ['xke', 'perche'],
  ['xche', 'perche'],
  ['ke', 'che'],
  ['k', 'che'],
  ['ki', 'chi'],
  ['cmq', 'comunque'],
  ['qsto', 'questo'],
  ['qsta', 'questa'],
  ['qst', 'questo'],
  ['tt', 'tutti'],
  ['msg', 'messaggio'],
  ['nnt', 'niente'],
  ['qlcs', 'qualcosa'],
  ['qlc', 'qualche'],
  ['xo', 'pero'],
  ['sn', 'sono'],
  ['cm', 'come'],
  ['dv', 'dove'],
])

/** Lower case, accents and other combining marks removed, compatibility forms folded. */
export function foldCase(text: string): string {
  if (!NON_ASCII.test(text)) return text.toLowerCase()
  return text.normalize('NFKD').replace(COMBINING_MARKS, '').toLowerCase()
}

/** Squeezes every run of one repeated letter to a single letter: `cazzzooo` → `cazo`. */
export function squeeze(word: string): string {
  // Most words have no repeated letter: only those pay for the regular expression.
  for (let i = 1; i < word.length; i++) {
    if (word.charCodeAt(i) === word.charCodeAt(i - 1)) return word.replace(REPEATED_LETTER, '$1')
  }
  return word
}

const isAsciiLetter = (code: number) => code >= 97 && code <= 122

function decodeToken(raw: string): string {
  // Fast path: plain lower-case ASCII words, most of any message.
  let plain = true
  for (let i = 0; i < raw.length && plain; i++) plain = isAsciiLetter(raw.charCodeAt(i))
  if (plain) return raw
  if (!HAS_LETTER.test(raw)) {
    // No letter: a number, a price or a stray symbol; keep only the digits.
    return raw.replace(/[^\p{N}]/gu, '')
  }
  let word = raw.replace(LEET_CHARS, (c) => LEET[c] ?? c)
  // A mask is meaningful only inside a word: `c*zzo` yes, a trailing `ciao*` no.
  word = word.replace(/^\*+|\*+$/g, '')
  return word
}

const WORD_CHAR = /[\p{L}\p{N}]/u

function hasElision(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (ELISIONS.has(text[i] as string)) return true
  return false
}

/** Letters, digits, and the symbols that stand for letters or mask them (@ $ *). */
function isWordChar(text: string, i: number): boolean {
  const code = text.charCodeAt(i)
  if ((code >= 97 && code <= 122) || (code >= 48 && code <= 57)) return true
  if (code === 64 || code === 36 || code === 42) return true
  return code > 127 && WORD_CHAR.test(text[i] as string)
}

/** Splits folded text into decoded words, joining runs of spaced-out single letters. */
function wordsOf(folded: string): string[] {
  const words: string[] = []
  let run: string[] = []
  const flush = () => {
    if (run.length >= MIN_SPACED_RUN) words.push(run.join(''))
    else for (const letter of run) words.push(letter)
    run = []
  }
  let i = 0
  let end = 0
  while (i < folded.length) {
    if (!isWordChar(folded, i)) {
      i++
      continue
    }
    const start = i
    while (i < folded.length && isWordChar(folded, i)) i++
    // An apostrophe between single letters is an elision ("c'è l'avviso"), not spacing.
    const elision = run.length > 0 && hasElision(folded, end, start)
    end = i
    const word = decodeToken(folded.slice(start, i))
    if (word === '') continue
    if (elision) flush()
    if (word.length === 1 && HAS_LETTER.test(word)) {
      run.push(word)
      continue
    }
    flush()
    words.push(word)
  }
  flush()
  return words
}

/** Normalizes a message (or a lexicon term) into its matching forms. */
export function normalizeText(raw: string): NormalizedText {
  const words = wordsOf(foldCase(raw)).map((word) => SMS_WORDS.get(word) ?? word)
  return { words, tokens: words.map(squeeze), text: words.join(' ') }
}
