import { privacyPolicyVersion, type Tenant } from '@banditore/contracts'
import { normalizeCommandText } from '../commands/command-text.js'
import type { SendChannel } from '../subscriptions-database.js'
import { checkTenantTexts } from './tenant-texts.js'

/** A phrase citizens may write, as normalized words, and the language it belongs to. */
export interface Phrase {
  words: string[]
  language: string
}

export interface TopicEntry {
  id: string
  alwaysOn: boolean
  /** Names and aliases in every language, normalized. */
  phrases: Phrase[]
}

/**
 * The opt-out words SMS gateways honour themselves (Twilio's standard set), plus the Italian
 * words a citizen naturally sends alone to stop a service. Matched only as the whole message,
 * so "fine settimana" or "basta con i ritardi" are ordinary messages.
 */
export const GATEWAY_OPT_OUT_WORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'ANNULLA', 'FINE', 'BASTA']

/** Default confirmation answers when a tenant names none (double opt-in). */
const DEFAULT_CONFIRM: Record<string, string[]> = { it: ['SI'], fr: ['OUI'], en: ['YES'], de: ['JA'] }
/** Default topic-choice words. */
const DEFAULT_TOPICS: Record<string, string[]> = { it: ['TEMI'], fr: ['THEMES'], en: ['TOPICS'], de: ['THEMEN'] }
/** Words meaning every topic in a topic choice. */
export const ALL_TOPICS_WORDS = ['TUTTI', 'TUTTE', 'TUTTO', 'TOUS', 'TOUT', 'ALL', 'ALLE']
/** Words ignored between topics: "TEMI EVENTI E INFO". */
export const TOPIC_SEPARATOR_WORDS = ['E', 'ED', 'ET', 'AND', 'UND']

const phrasesOf = (byLanguage: Record<string, readonly string[]> | undefined, languages: readonly string[], fallback: Record<string, string[]>) =>
  languages.flatMap((language) =>
    (byLanguage?.[language] ?? fallback[language] ?? []).map((p) => ({ words: normalizeCommandText(p).split(' ').filter(Boolean), language })),
  )

/** Everything the service derives once from a tenant file. */
export class TenantProfile {
  readonly id: string
  readonly defaultLanguage: string
  readonly subscribe: Phrase[]
  readonly unsubscribe: Phrase[]
  readonly confirm: Phrase[]
  readonly topicWords: Phrase[]
  readonly topics: TopicEntry[]
  /** Language → privacyPolicyVersion of the notice in that language. */
  readonly policyVersions: ReadonlyMap<string, string>

  constructor(readonly tenant: Tenant) {
    checkTenantTexts(tenant)
    this.id = tenant.id
    this.defaultLanguage = tenant.languages[0]!
    this.subscribe = phrasesOf(tenant.keywords.subscribe, tenant.languages, {})
    this.unsubscribe = phrasesOf(tenant.keywords.unsubscribe, tenant.languages, {})
    this.confirm = phrasesOf(tenant.keywords.confirm, tenant.languages, DEFAULT_CONFIRM)
    this.topicWords = phrasesOf(tenant.keywords.topics, tenant.languages, DEFAULT_TOPICS)
    this.topics = tenant.topics.map((topic) => ({
      id: topic.id,
      alwaysOn: topic.alwaysOn === true,
      phrases: [
        ...tenant.languages.flatMap((language) => (topic.names[language] ? [{ words: normalizeCommandText(topic.names[language]).split(' '), language }] : [])),
        ...phrasesOf(topic.aliases, tenant.languages, {}),
        { words: normalizeCommandText(topic.id).split(' '), language: this.defaultLanguage },
      ],
    }))
    this.policyVersions = new Map(tenant.languages.map((l) => [l, privacyPolicyVersion(tenant.privacyPolicy[l]!)]))
  }

  /** The language to use: the given one when the tenant speaks it, else the tenant's default. */
  language(candidate: string | null | undefined): string {
    return candidate && this.tenant.languages.includes(candidate) ? candidate : this.defaultLanguage
  }

  policyVersion(language: string): string {
    return this.policyVersions.get(this.language(language))!
  }

  privacyText(language: string): string {
    return this.tenant.privacyPolicy[this.language(language)]!
  }

  /** Topic ids a new subscriber receives: every topic (always-on ones are implied, not stored). */
  defaultTopics(): string[] {
    return this.topics.filter((t) => !t.alwaysOn).map((t) => t.id)
  }

  /** Keeps known, optional topic ids, in the tenant's order. */
  chosenTopics(ids: readonly string[]): string[] {
    return this.topics.filter((t) => !t.alwaysOn && ids.includes(t.id)).map((t) => t.id)
  }

  isAlwaysOn(topicId: string): boolean {
    return this.topics.some((t) => t.id === topicId && t.alwaysOn)
  }

  hasTopic(topicId: string): boolean {
    return this.topics.some((t) => t.id === topicId)
  }

  /** Whether a keyword sign-up is accepted on this channel (the tenant's documented doors). */
  acceptsKeywordSignup(channel: string): boolean {
    return (this.tenant.signup.doors as string[]).includes(channel)
  }

  /** The channel broadcasts reach a subscriber on, given the door they signed up through. */
  deliveryChannel(door: string): SendChannel {
    if (this.tenant.signup.channel) return this.tenant.signup.channel
    if (door === 'whatsapp' || door === 'sms') return door
    return this.tenant.channels.whatsapp ? 'whatsapp' : 'sms'
  }

  /**
   * The channel a form's confirmation request goes out on: SMS when the tenant has a gateway
   * (no 24-hour window applies), otherwise WhatsApp (needs an approved template).
   */
  confirmationRequestChannel(): SendChannel {
    return this.tenant.channels.sms ? 'sms' : 'whatsapp'
  }

  confirmationValidityHours(): number {
    return this.tenant.signup.confirmationValidityHours ?? 48
  }

  /** Auto-reply interval in milliseconds. */
  autoReplyIntervalMs(): number {
    return (this.tenant.autoReplyIntervalHours ?? 24) * 3_600_000
  }
}

/** The profiles of every tenant, by id. Throws TenantTextsError for a tenant missing a text. */
export function buildTenantProfiles(tenants: readonly Tenant[]): Map<string, TenantProfile> {
  return new Map(tenants.map((t) => [t.id, new TenantProfile(t)]))
}
