/**
 * Every fact a rule may test. Facts are computed in code (message-facts.ts) before the engine
 * runs; rules only decide. The JSON Schema for rule files is generated from this catalog, so a
 * fact added here appears in editors' completion after `schema:generate`.
 */

import { MODERATION_CATEGORIES, type ModerationCategory } from '@banditore/contracts'

/** The shape of a fact's value, which decides the operators that apply to it. */
export type FactKind = 'string' | 'number' | 'boolean' | 'strings' | 'tokens' | 'domains'

export interface FactDefinition {
  readonly kind: FactKind
  readonly description: string
  /**
   * Computed while the engine runs, from the rules already evaluated: only rules of priority
   * below ESCALATION_PRIORITY_LIMIT may test it.
   */
  readonly dynamic?: true
}

/** Rules below this priority run after every other rule: the escalation rules. */
export const ESCALATION_PRIORITY_LIMIT = 10

type ClassifierFactName = `classifier.${ModerationCategory}`

/** One fact per category: the shipped text classifier's probability (models/text-classifier.json). */
const CLASSIFIER_FACTS = Object.fromEntries(
  MODERATION_CATEGORIES.map((category) => [
    `classifier.${category}`,
    {
      kind: 'number',
      description: `The text classifier's probability, 0 to 1, that the message is ${category}: trained on the dev split of the labelled corpus (rules classifier-train); test it with greaterThanInclusive and a threshold.`,
    },
  ]),
) as Record<ClassifierFactName, { readonly kind: 'number'; readonly description: string }>

export const FACTS = {
  text: {
    kind: 'string',
    description:
      'The text normalized: lower case, no accents, leetspeak decoded, spaced-out letters joined, words separated by one space. matchesAny patterns are written against it.',
  },
  tokens: {
    kind: 'tokens',
    description:
      "The text's words as lexicons match them: normalized like `text`, with repeated letters squeezed (cazzzo → cazo).",
  },
  stems: {
    kind: 'tokens',
    description:
      "The words reduced to their Italian stems (Snowball), squeezed like `tokens`: containsLexicon and containsNear on `stems` match a lexicon's terms in every inflection (ammazzare matches ammazzo, ammazzerò, ammazzarvi).",
  },
  wordCount: { kind: 'number', description: 'How many words the text has.' },
  repetitionRatio: {
    kind: 'number',
    description: 'Share of the words that repeat an earlier word of the same message, 0 to 1 (ciao ciao ciao ciao: 0.75); 0 below 4 words.',
  },
  longestRun: {
    kind: 'number',
    description: 'The longest run of one repeated character in the raw text, letters, emoji or punctuation (aaaaah: 5, !!!: 3).',
  },
  moneyAmounts: { kind: 'number', description: 'How many amounts of money the text names (50 euro, €10, 1.000€, 5 $).' },
  percentages: { kind: 'number', description: 'How many percentages the text names (30%, 40 per cento).' },
  uppercaseRatio: {
    kind: 'number',
    description: 'Share of upper-case letters among the letters, 0 to 1; 0 when the text has fewer than 10 letters.',
  },
  isQuestion: { kind: 'boolean', description: 'The text contains a question mark.' },
  channel: { kind: 'string', description: 'The door the message came through: whatsapp, sms, web, paper; broadcast for outbound drafts.' },
  messageType: { kind: 'string', description: 'The message type as ingest reports it: text, image, audio, location, ...' },
  hasMedia: { kind: 'boolean', description: 'The message carries an image, document, audio, video or sticker.' },
  linkCount: { kind: 'number', description: 'How many links the text has.' },
  linkDomains: { kind: 'domains', description: 'The domains of the links, lower case without www.' },
  externalLinkCount: {
    kind: 'number',
    description: "How many links point outside the tenant's own domains (the tenant configuration's linkAllowList).",
  },
  externalLinkDomains: {
    kind: 'domains',
    description: "The domains of the links outside the tenant's own domains.",
  },
  personalData: {
    kind: 'strings',
    description:
      "Kinds of personal data found: phone (Italian or +international), email (outside the tenant's domains), codiceFiscale (check letter verified), iban (mod-97 verified), plate (Italian plates), address (street with house number).",
  },
  personalDataCount: { kind: 'number', description: 'How many items of personal data were found, of all kinds.' },
  senderMessagesLastMinute: {
    kind: 'number',
    description: 'Messages the same sender sent to the tenant in the 60 seconds before this one.',
  },
  senderMessagesLastHour: {
    kind: 'number',
    description: 'Messages the same sender sent to the tenant in the hour before this one.',
  },
  senderPastViolations: {
    kind: 'number',
    description: "Earlier messages of the sender whose verdict was delete, block or report.",
  },
  duplicateCount: {
    kind: 'number',
    description:
      "How many of the sender's recent messages (last 24 hours) have the same normalized text, or share at least 80% of their words with it when it has 4 words or more.",
  },
  officeHours: { kind: 'boolean', description: "The message arrived while the tenant's office is open." },
  ...CLASSIFIER_FACTS,
  messageViolations: {
    kind: 'number',
    dynamic: true,
    description:
      'How many rules already fired on this message with delete, block or report. Only escalation rules (priority below 10) may test it.',
  },
} as const satisfies Record<string, FactDefinition>

export type FactName = keyof typeof FACTS
export const FACT_NAMES = Object.keys(FACTS) as FactName[]

/** The facts computed before the run, passed to the engine as runtime facts. */
export type StaticFactName = {
  [K in FactName]: (typeof FACTS)[K] extends { dynamic: true } ? never : K
}[FactName]

type ValueOfKind<K extends FactKind> = K extends 'string'
  ? string
  : K extends 'number'
    ? number
    : K extends 'boolean'
      ? boolean
      : readonly string[]

/** The values of the static facts of one message. */
export type MessageFacts = { [K in StaticFactName]: ValueOfKind<(typeof FACTS)[K]['kind']> }

export function isFactName(name: string): name is FactName {
  return Object.hasOwn(FACTS, name)
}

export function factsOfKind(kinds: readonly FactKind[]): FactName[] {
  return FACT_NAMES.filter((name) => kinds.includes(FACTS[name].kind))
}
