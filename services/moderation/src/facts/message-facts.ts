import { findCodiciFiscali } from '../detectors/codice-fiscale-detector.js'
import { findEmailAddresses } from '../detectors/email-address-detector.js'
import { findIbans } from '../detectors/iban-detector.js'
import { findLicencePlates } from '../detectors/licence-plate-detector.js'
import { findLinks, isDomainWithin } from '../detectors/link-detector.js'
import { findPhoneNumbers } from '../detectors/phone-number-detector.js'
import { findStreetAddresses } from '../detectors/street-address-detector.js'
import { senderActivity, type SenderHistory } from '../sender/sender-history.js'
import type { ModerationProfile } from '../tenant/moderation-profile.js'
import { classifyWithFeatures } from '../classifier/text-classifier.js'
import { markStemmed } from '../lexicon/lexicon-library.js'
import { stemForm } from '../lexicon/lexicon-matcher.js'
import { normalizeText } from '../text/text-normalizer.js'
import type { MessageFacts } from './fact-catalog.js'
import type { OfficeHoursClock } from './office-hours-clock.js'

/** What moderation reads of a message, whichever direction it travels. */
export interface ModerationInput {
  /** Everything readable: the text, captions, a location's name and address. */
  readonly text: string
  readonly channel: string
  readonly messageType: string
  readonly hasMedia: boolean
  /** When it was sent, epoch milliseconds. */
  readonly at: number
}

const MIN_LETTERS_FOR_CASE = 10

function uppercaseRatio(text: string): number {
  let letters = 0
  let upper = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code >= 65 && code <= 90) {
      letters++
      upper++
    } else if (code >= 97 && code <= 122) {
      letters++
    } else if (code > 127) {
      const c = text[i] as string
      const lower = c.toLowerCase()
      if (c !== lower) {
        letters++
        upper++
      } else if (c !== c.toUpperCase()) letters++
    }
  }
  return letters < MIN_LETTERS_FOR_CASE ? 0 : upper / letters
}

/** Share of words that repeat an earlier word; 0 below 4 words. */
function repetitionRatio(words: readonly string[]): number {
  if (words.length < 4) return 0
  return Math.round((1 - new Set(words).size / words.length) * 1000) / 1000
}

/** The longest run of one repeated character (code point), case-insensitive. */
function longestRun(text: string): number {
  let best = 0
  let run = 0
  let previous = ''
  for (const c of text.toLowerCase()) {
    if (c === previous && c !== ' ') run++
    else run = 1
    previous = c
    if (run > best) best = run
  }
  return best
}

const MONEY = /(?:€|\$|£)\s?\d|\d[\d.,]*\s?(?:€|\$|£|euro\b|eur\b|k€|mila euro)/giu
const PERCENT = /\d\s?(?:%|per ?cento\b)/giu

function countMatches(pattern: RegExp, text: string): number {
  pattern.lastIndex = 0
  let n = 0
  while (pattern.exec(text)) n++
  return n
}

const within = (domain: string, domains: readonly string[]) => domains.some((d) => isDomainWithin(domain, d))

/** The personal-data kinds found and how many items, leaving out the tenant's own contacts. */
function personalDataOf(text: string, profile: ModerationProfile): { kinds: string[]; count: number } {
  const found: [string, number][] = [
    ['phone', findPhoneNumbers(text).filter((n) => !profile.ownNumbers.includes(n)).length],
    ['email', findEmailAddresses(text).filter((e) => !within(e.domain, profile.ownDomains)).length],
    ['codiceFiscale', findCodiciFiscali(text).length],
    ['iban', findIbans(text).length],
    ['plate', findLicencePlates(text).length],
    ['address', findStreetAddresses(text).length],
  ]
  const present = found.filter(([, n]) => n > 0)
  return { kinds: present.map(([kind]) => kind), count: present.reduce((sum, [, n]) => sum + n, 0) }
}

/** E-mail addresses with their `@` turned into a space, so `segreteria@comune` reads as two words. */
function spacedEmails(text: string): string {
  let words = text
  for (const email of findEmailAddresses(text)) words = words.split(email.address).join(email.address.replace('@', ' '))
  return words
}

// Cheap pre-checks so clean short messages skip the detectors' regular expressions. Every kind of
// personal data has a digit or an `@` (a codice fiscale with all seven digits replaced by
// omocodia letters would be missed: such codes are not issued in practice).
const MAY_HAVE_DIGITS = /\d/
const MAY_HAVE_LINK_OR_EMAIL = /[./@]/

/** Computes every static fact of a message; the engine only decides on them. */
/**
 * What explanations quote of facts computed here, without normalizing or classifying again: the
 * normalized words (unsqueezed, one per token and stem) and the classifier features present.
 * Not facts: rules cannot name them.
 */
export const evidenceOfFacts = new WeakMap<object, { readonly words: readonly string[]; readonly features: ReadonlySet<number> }>()

export function computeMessageFacts(
  input: ModerationInput,
  sender: SenderHistory,
  profile: ModerationProfile,
  clock: OfficeHoursClock,
): MessageFacts {
  const hasDigit = MAY_HAVE_DIGITS.test(input.text)
  const links = MAY_HAVE_LINK_OR_EMAIL.test(input.text) ? findLinks(input.text) : []
  // In an e-mail address `@` separates words; elsewhere it stands for an `a` (m3rd@).
  const normalized = normalizeText(input.text.includes('@') ? spacedEmails(input.text) : input.text)
  const linkDomains = [...new Set(links.map((l) => l.domain))]
  const externalLinks = links.filter((l) => !within(l.domain, profile.ownDomains))
  const personal =
    hasDigit || input.text.includes('@')
      ? personalDataOf(input.text, profile)
      : { kinds: [], count: 0 }
  const stems = markStemmed(normalized.words.map(stemForm))
  const { scores, present } = classifyWithFeatures(normalized.words, stems)
  const classifier: Record<string, number> = {}
  for (const category in scores) classifier[`classifier.${category}`] = scores[category as keyof typeof scores]
  const facts: MessageFacts = {
    text: normalized.text,
    tokens: normalized.tokens,
    stems,
    wordCount: normalized.words.length,
    repetitionRatio: repetitionRatio(normalized.words),
    longestRun: longestRun(input.text),
    moneyAmounts: hasDigit ? countMatches(MONEY, input.text) : 0,
    percentages: hasDigit ? countMatches(PERCENT, input.text) : 0,
    ...(classifier as Pick<MessageFacts, `classifier.${keyof typeof scores}`>),
    uppercaseRatio: uppercaseRatio(input.text),
    // A `?` in a link's query string does not make a question.
    isQuestion: links.reduce((text, link) => text.replace(link.url, ' '), input.text).includes('?'),
    channel: input.channel,
    messageType: input.messageType,
    hasMedia: input.hasMedia,
    linkCount: links.length,
    linkDomains,
    externalLinkCount: externalLinks.length,
    externalLinkDomains: [...new Set(externalLinks.map((l) => l.domain))],
    personalData: personal.kinds,
    personalDataCount: personal.count,
    ...senderActivity(sender, normalized.text, input.at),
    officeHours: clock.isOpen(input.at),
  }
  evidenceOfFacts.set(facts, { words: normalized.words, features: present })
  return facts
}
