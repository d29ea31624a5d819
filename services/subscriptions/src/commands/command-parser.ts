import type { InboundMessage } from '@banditore/contracts'
import { ALL_TOPICS_WORDS, GATEWAY_OPT_OUT_WORDS, TOPIC_SEPARATOR_WORDS, type Phrase, type TenantProfile } from '../tenant/tenant-profile.js'
import { startsWithPhrase, tokenize, type Token } from './command-text.js'

/** What a citizen's message asks for. Anything that is not a whole command is a `message`. */
export type Command =
  | { kind: 'unsubscribe'; language: string | undefined; source: 'keyword' | 'gateway-word' }
  | { kind: 'subscribe'; language: string; name?: string }
  | { kind: 'subscribe-name-missing'; language: string }
  /** A confirmation answer ("SI"): a double opt-in confirmation when one is pending, else a message. */
  | { kind: 'confirm'; language: string }
  | { kind: 'topics'; language: string | undefined; topics: string[] }
  | { kind: 'topics-unknown'; language: string | undefined; unknown: string[] }
  | { kind: 'form'; form: Record<string, unknown> }
  | { kind: 'message' }
  /** Reactions and system notices: nothing to answer. */
  | { kind: 'ignore' }

const IGNORED_TYPES = new Set(['reaction', 'system'])
// A name is letters, spaces, apostrophes, dots and hyphens: "Maria D'Amico", "Jean-Luc Rey".
const NAME = /^[\p{L}][\p{L}\p{M}' ’.-]*(?:\s+[\p{L}][\p{L}\p{M}' ’.-]*){1,5}$/u

/** The phrase matching every token of the message exactly. */
function wholeMatch(tokens: readonly Token[], phrases: readonly Phrase[]): Phrase | undefined {
  return phrases.find((p) => p.words.length === tokens.length && startsWithPhrase(tokens, p.words))
}

/** Picks the language of a match: the subscriber's when the phrase exists in it too. */
function languageOf(phrases: readonly Phrase[], matched: Phrase, preferred: string | undefined): string {
  const same = phrases.filter((p) => p.words.join(' ') === matched.words.join(' '))
  return same.find((p) => p.language === preferred)?.language ?? matched.language
}

function parseTopics(profile: TenantProfile, tokens: readonly Token[], from: number): { topics: string[]; unknown: string[] } {
  const topics = new Set<string>()
  const unknown: string[] = []
  const candidates = profile.topics
    .flatMap((topic) => topic.phrases.map((phrase) => ({ topic, phrase })))
    .sort((a, b) => b.phrase.words.length - a.phrase.words.length)
  let i = from
  while (i < tokens.length) {
    const word = tokens[i]!.normalized
    if (TOPIC_SEPARATOR_WORDS.includes(word)) {
      i++
      continue
    }
    if (ALL_TOPICS_WORDS.includes(word)) {
      for (const t of profile.defaultTopics()) topics.add(t)
      i++
      continue
    }
    const hit = candidates.find((c) => startsWithPhrase(tokens, c.phrase.words, i))
    if (hit) {
      topics.add(hit.topic.id)
      i += hit.phrase.words.length
    } else {
      unknown.push(word)
      i++
    }
  }
  return { topics: [...topics], unknown }
}

/** A WhatsApp list or button reply: `topics:<id>,<id>` (or `topics:all`) chooses topics. */
function parseInteractive(profile: TenantProfile, id: string): Command | undefined {
  const match = /^topics:([a-z0-9,-]*)$/.exec(id)
  if (!match) return undefined
  const ids = match[1]!.split(',').filter(Boolean)
  const chosen = ids.includes('all') ? profile.defaultTopics() : ids.filter((t) => profile.hasTopic(t))
  const unknown = ids.filter((t) => t !== 'all' && !profile.hasTopic(t))
  if (unknown.length > 0 || ids.length === 0) return { kind: 'topics-unknown', language: undefined, unknown }
  return { kind: 'topics', language: undefined, topics: chosen }
}

/**
 * Reads a message as a command of the tenant. A keyword is recognised only as the whole message
 * (tolerating case, accents, punctuation and spacing), never inside a sentence; the one
 * exception is a name after the subscribe keyword where the tenant asks for it.
 */
export function parseCommand(profile: TenantProfile, message: InboundMessage, preferredLanguage?: string): Command {
  if (message.type === 'form') return message.form ? { kind: 'form', form: message.form } : { kind: 'ignore' }
  if (IGNORED_TYPES.has(message.type)) return { kind: 'ignore' }
  if (message.interactive) {
    const command = parseInteractive(profile, message.interactive.id)
    if (command) return command
  }
  const text = (message.interactive?.title ?? message.text ?? '').normalize('NFC')
  const tokens = tokenize(text)
  if (tokens.length === 0) return { kind: 'message' }

  const unsubscribe = wholeMatch(tokens, profile.unsubscribe)
  if (unsubscribe) return { kind: 'unsubscribe', language: languageOf(profile.unsubscribe, unsubscribe, preferredLanguage), source: 'keyword' }
  if (tokens.length === 1 && GATEWAY_OPT_OUT_WORDS.includes(tokens[0]!.normalized)) {
    return { kind: 'unsubscribe', language: undefined, source: 'gateway-word' }
  }
  // The gateway opted the citizen out (an opt-out word of the account's own, too): so do we.
  if (message.channel === 'sms' && message.gatewayOptOut === 'STOP') return { kind: 'unsubscribe', language: undefined, source: 'gateway-word' }

  const subscribe = wholeMatch(tokens, profile.subscribe)
  if (subscribe) {
    const language = languageOf(profile.subscribe, subscribe, preferredLanguage)
    return profile.tenant.signup.nameWithKeyword ? { kind: 'subscribe-name-missing', language } : { kind: 'subscribe', language }
  }
  if (profile.tenant.signup.nameWithKeyword) {
    for (const phrase of profile.subscribe) {
      if (!startsWithPhrase(tokens, phrase.words)) continue
      const rest = text.slice(tokens[phrase.words.length - 1]!.end).replace(/^[\s\p{P}]+/u, '').trim()
      const language = phrase.language
      return NAME.test(rest) && rest.length <= 120 ? { kind: 'subscribe', language, name: rest.replace(/\s+/g, ' ') } : { kind: 'subscribe-name-missing', language }
    }
  }

  const confirm = wholeMatch(tokens, profile.confirm)
  if (confirm) return { kind: 'confirm', language: languageOf(profile.confirm, confirm, preferredLanguage) }

  for (const phrase of profile.topicWords) {
    if (!startsWithPhrase(tokens, phrase.words)) continue
    const { topics, unknown } = parseTopics(profile, tokens, phrase.words.length)
    // "Temi che piova?" is a sentence, not a topic choice: no topic named at all.
    if (topics.length === 0 && unknown.length > 0) return { kind: 'message' }
    if (topics.length === 0 || unknown.length > 0) return { kind: 'topics-unknown', language: phrase.language, unknown }
    return { kind: 'topics', language: phrase.language, topics }
  }
  return { kind: 'message' }
}
