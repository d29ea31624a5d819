/**
 * How citizens' texts are compared with keywords: case, accents, punctuation (apostrophes
 * included), emoji and extra spaces do not matter; words do. "  mi iscrivo! " and "MI ISCRIVO"
 * are the same command; "ADDWA" is not "ADD WA".
 */
export function normalizeCommandText(text: string): string {
  return tokenize(text)
    .map((t) => t.normalized)
    .join(' ')
}

export interface Token {
  /** Upper case, without accents. */
  normalized: string
  /** Offsets of the word in the original text. */
  start: number
  end: number
}

const WORD = /[\p{L}\p{N}]+/gu

function fold(word: string): string {
  return word.normalize('NFD').replace(/\p{M}+/gu, '').toUpperCase()
}

/** The words of a text with their positions, so the rest of a message can be read as written. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  for (const match of text.normalize('NFC').matchAll(WORD)) {
    tokens.push({ normalized: fold(match[0]), start: match.index, end: match.index + match[0].length })
  }
  return tokens
}

/** Whether `tokens` begin with `phrase` (normalized words), and how many tokens it took. */
export function startsWithPhrase(tokens: readonly Token[], phrase: readonly string[], from = 0): boolean {
  if (phrase.length === 0 || tokens.length - from < phrase.length) return false
  return phrase.every((word, i) => tokens[from + i]!.normalized === word)
}
