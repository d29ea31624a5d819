import type { Tenant } from '@banditore/contracts'
import { describeOfficeHours } from './office-hours.js'

/**
 * The citizen-facing texts the service sends, by key in `tenant.texts[language]`.
 * Placeholders: {name}, {topics}, {hours}, {contacts}, {keyword} (the first subscribe keyword),
 * {unsubscribeKeyword}, {confirmWord}, {validityHours}, {topicsKeyword}, {allTopics}.
 */
export const REQUIRED_TEXTS = [
  /** After a subscription: the welcome (the privacy notice follows as its own message). */
  'welcome',
  /** A subscribe keyword from someone already subscribed. */
  'alreadySubscribed',
  /** The confirmation of an unsubscribe. */
  'unsubscribed',
  /** The answer to anything else a citizen writes (unidirectional tenants, desk non-subscribers). */
  'autoReply',
  /** After a topic choice: {topics}. */
  'topicsChanged',
  /** A topic choice naming no known topic: {allTopics}. */
  'topicsHelp',
  /** A topic choice from someone not subscribed. */
  'notSubscribed',
  /** The double opt-in request after a form: {confirmWord}, {validityHours}. */
  'confirmationRequest',
] as const

/** Required only for some tenants. */
export const CONDITIONAL_TEXTS = {
  /** `ISCRIZIONE` without a name, when the keyword carries it. */
  nameRequired: (t: Tenant) => t.signup.nameWithKeyword === true,
  /** The desk is closed: {hours}. */
  deskClosed: (t: Tenant) => t.mode === 'desk',
} as const

/**
 * Optional: `deskReceived` (acknowledges a desk question), `signupHowTo` (a subscribe keyword on a
 * door the tenant does not sign up through, e.g. Magenta's web-only sign-up), and the WhatsApp
 * topic menu's texts (`topicsMenu`, `topicsMenuButton`, `topicsMenuAll`, `topicsMenuOnly`,
 * `topicsMenuFooter`; see topic-menu.ts for their defaults).
 */
export type TextKey = (typeof REQUIRED_TEXTS)[number] | keyof typeof CONDITIONAL_TEXTS | 'deskReceived' | 'signupHowTo' | TopicMenuTextKey

export type TopicMenuTextKey = 'topicsMenu' | 'topicsMenuButton' | 'topicsMenuAll' | 'topicsMenuOnly' | 'topicsMenuFooter'

export class TenantTextsError extends Error {
  readonly code = 'TENANT_TEXTS_MISSING'
  constructor(
    readonly tenant: string,
    readonly missing: string[],
    options?: { cause?: unknown },
  ) {
    super(`tenant ${tenant} lacks texts: ${missing.join(', ')}`, options)
    this.name = 'TenantTextsError'
  }
}

/** Refuses a tenant that lacks, in any of its languages, a text the service would need. */
export function checkTenantTexts(tenant: Tenant): void {
  const needed: string[] = [...REQUIRED_TEXTS, ...Object.entries(CONDITIONAL_TEXTS).filter(([, applies]) => applies(tenant)).map(([k]) => k)]
  const missing = tenant.languages.flatMap((language) =>
    needed.filter((key) => !tenant.texts[language]?.[key]?.trim()).map((key) => `${language}.${key}`),
  )
  if (missing.length > 0) throw new TenantTextsError(tenant.id, missing)
}

const CONTACT_LABELS: Record<string, Record<string, string>> = {
  it: { email: 'e-mail', phone: 'telefono', reportsUrl: 'segnalazioni', website: 'sito' },
  fr: { email: 'courriel', phone: 'téléphone', reportsUrl: 'signalements', website: 'site' },
  en: { email: 'e-mail', phone: 'phone', reportsUrl: 'reports', website: 'website' },
}

/** The tenant's contacts as one line: "e-mail: x; telefono: y; segnalazioni: z". */
export function describeContacts(tenant: Tenant, language: string): string {
  const labels = CONTACT_LABELS[language] ?? CONTACT_LABELS.en!
  return (['email', 'phone', 'reportsUrl', 'website'] as const)
    .filter((k) => tenant.contacts[k])
    // French typography puts a space before the colon.
    .map((k) => `${labels[k]}${language === 'fr' ? ' :' : ':'} ${tenant.contacts[k]}`)
    .join('; ')
}

export interface TextValues {
  name?: string | null
  topics?: string
  allTopics?: string
}

/** A text of the tenant in a language with its placeholders filled. Unknown placeholders stay as written. */
export function renderText(tenant: Tenant, language: string, key: TextKey, values: TextValues = {}): string | undefined {
  const template = tenant.texts[language]?.[key]
  if (!template) return undefined
  return fillText(tenant, language, template, values)
}

/** A text (the tenant's or a default) in a language with its placeholders filled. */
export function fillText(tenant: Tenant, language: string, template: string, values: TextValues = {}): string {
  const first = (list: Record<string, string[]> | undefined) => list?.[language]?.[0] ?? list?.[tenant.languages[0]!]?.[0] ?? ''
  const confirmDefaults: Record<string, string[]> = { it: ['SI'], fr: ['OUI'], en: ['YES'] }
  const topicsDefaults: Record<string, string[]> = { it: ['TEMI'], fr: ['THÈMES'], en: ['TOPICS'] }
  const filled: Record<string, string> = {
    name: values.name ?? '',
    topics: values.topics ?? '',
    allTopics: values.allTopics ?? '',
    hours: tenant.officeHours ? describeOfficeHours(tenant.officeHours, language) : '',
    contacts: describeContacts(tenant, language),
    keyword: first(tenant.keywords.subscribe),
    unsubscribeKeyword: first(tenant.keywords.unsubscribe),
    confirmWord: first(tenant.keywords.confirm ?? confirmDefaults),
    topicsKeyword: first(tenant.keywords.topics ?? topicsDefaults),
    validityHours: String(tenant.signup.confirmationValidityHours ?? 48),
  }
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => filled[name] ?? whole).replace(/ {2,}/g, ' ')
}

/** Topic names in a language, in the tenant's order: "EMERGENZE, INFO COMUNE, EVENTI". */
export function describeTopics(tenant: Tenant, language: string, ids?: readonly string[]): string {
  return tenant.topics
    .filter((t) => t.alwaysOn || !ids || ids.includes(t.id))
    .map((t) => t.names[language] ?? t.names[tenant.languages[0]!] ?? t.id)
    .join(', ')
}
