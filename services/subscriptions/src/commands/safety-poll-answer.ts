import { readSafetyPollPayload, type SafetyPollAnswer } from '@banditore/contracts'

/**
 * Reads a citizen's message as an answer to a safety poll ("1 Sto bene", "2 Ho bisogno di
 * aiuto"), however they write it: the WhatsApp button, the digit alone or before their words
 * ("2 siamo bloccati al primo piano"), the words without the digit, in Italian or French, with
 * or without accents, in capitals, with emoji. A message that asks for help anywhere is a help
 * request unless it says it needs none: a wrong "help" costs a call, a missed one a life.
 * Anything else is not an answer (it goes on as an ordinary message).
 */

/** Lowercase, accents and emoji variation marks off, keycap digits as digits, punctuation as spaces. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u20E3\uFE0F]/g, '')
    .toLowerCase()
    .replace(/[’'`´]/g, ' ')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Asking for help, in words (checked as whole words or phrases). */
const HELP = [
  'aiuto',
  'aiutatemi',
  'aiutateci',
  'aiutami',
  'aiutaci',
  'ho bisogno',
  'abbiamo bisogno',
  'bisogno di aiuto',
  'soccorso',
  'soccorsi',
  'soccorrete',
  'sos',
  'help',
  'emergenza',
  'bloccato',
  'bloccata',
  'bloccati',
  'bloccate',
  'intrappolato',
  'intrappolata',
  'intrappolati',
  'ferito',
  'ferita',
  'feriti',
  'non sto bene',
  'sto male',
  'stiamo male',
  'pericolo',
  'venite',
  'aide',
  'aidez moi',
  'aidez nous',
  'au secours',
  'secours',
  'besoin d aide',
  'j ai besoin',
  'nous avons besoin',
  'bloque',
  'bloques',
  'blesse',
  'blesses',
  'je ne vais pas bien',
  'danger',
]

/** Saying that no help is needed: these turn a help word into "I am fine". */
const NO_HELP = [
  'non ho bisogno',
  'non abbiamo bisogno',
  'nessun bisogno',
  'non serve aiuto',
  'non serve',
  'non servono',
  'non ci serve',
  'nessun aiuto',
  'niente aiuto',
  'nessun pericolo',
  'non siamo in pericolo',
  'non sono in pericolo',
  'non siamo bloccati',
  'non sono bloccato',
  'non sono bloccata',
  'nessun ferito',
  'nessuno ferito',
  'pas besoin',
  'n ai pas besoin',
  'n avons pas besoin',
  'aucun besoin',
  'pas de danger',
  'pas en danger',
  'pas de blesse',
  'aucun blesse',
]

/** Saying that all is well. */
const OK = [
  'sto bene',
  'stiamo bene',
  'sto benissimo',
  'stiamo tutti bene',
  'tutto bene',
  'tutti bene',
  'tutto ok',
  'tutto okay',
  'tutto a posto',
  'tutto apposto',
  'tutto tranquillo',
  'bene',
  'ok',
  'okay',
  'okey',
  'si bene',
  'al sicuro',
  'in salvo',
  'siamo salvi',
  'nessun problema',
  'niente di grave',
  'je vais bien',
  'nous allons bien',
  'on va bien',
  'tout va bien',
  'ca va',
  'ca va bien',
  'en securite',
  'pas de probleme',
  'aucun probleme',
  'bien',
]

const has = (normalized: string, phrase: string) => ` ${normalized} `.includes(` ${phrase} `)

/** The leading digit or number word, and what follows it. */
const LEADING = /^(1|2|uno|due|un|deux)(?:\s+(.*))?$/

/** A thumbs-up or an OK hand alone means "I am fine". */
const OK_EMOJI = /^(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\s)+$/u
const FINE_EMOJI = /[\u{1F44D}\u{1F44C}\u{2705}\u{1F642}\u{1F60A}\u{1F600}\u{2714}]/u
const HELP_EMOJI = /[\u{1F198}\u{1F691}\u{1F692}\u{26A0}\u{1F6A8}]/u

function byWords(normalized: string): SafetyPollAnswer | undefined {
  const help = HELP.some((p) => has(normalized, p))
  const noHelp = NO_HELP.some((p) => has(normalized, p))
  if (help && !noHelp) return 'help'
  // "sto bene" inside "non sto bene" is not fine: that phrase is a help word.
  if (noHelp || OK.some((p) => has(normalized, p))) return 'ok'
  return undefined
}

/**
 * The answer a message gives to the open poll `pollId`, or undefined. `buttonId` is a WhatsApp
 * quick-reply payload (the poll's own, `poll:<id>:<answer>`); a payload of another poll is no
 * answer to this one.
 */
export function readSafetyPollAnswer(pollId: string, input: { text?: string | null | undefined; buttonId?: string | undefined }): SafetyPollAnswer | undefined {
  if (input.buttonId) {
    const payload = readSafetyPollPayload(input.buttonId)
    if (payload) return payload.pollId === pollId ? payload.answer : undefined
  }
  const raw = (input.text ?? '').trim()
  if (!raw) return undefined
  const normalized = normalizeAnswer(raw)
  if (!normalized) {
    if (!OK_EMOJI.test(raw)) return undefined
    if (HELP_EMOJI.test(raw)) return 'help'
    return FINE_EMOJI.test(raw) ? 'ok' : undefined
  }
  const leading = LEADING.exec(normalized)
  if (leading) {
    const digit = leading[1] === '1' || leading[1] === 'uno' || leading[1] === 'un' ? 'ok' : 'help'
    const rest = leading[2] ?? ''
    // "1" then words that ask for help ("1 ma mia madre è bloccata") is a help request.
    if (digit === 'ok' && rest && byWords(rest) === 'help') return 'help'
    // "un" and "deux" are also ordinary French words: alone, or before answer words, they answer.
    if ((leading[1] === 'un' || leading[1] === 'deux') && rest && byWords(rest) === undefined) return undefined
    return digit
  }
  // A long message that only mentions a word ("bene, allora a che ora apre il comune?") is not
  // an answer unless it asks for help.
  const words = byWords(normalized)
  if (words === 'help') return 'help'
  if (words === 'ok' && normalized.split(' ').length <= 12) return 'ok'
  return undefined
}
