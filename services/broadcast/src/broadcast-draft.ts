import type { BroadcastDraftBody, BroadcastRunInput, Tenant } from '@banditore/contracts'
import { DraftInvalidError } from './broadcast-errors.js'

/** The language a recipient gets when the draft has no variant in theirs. */
export function defaultLanguageOf(tenant: Tenant, draft: BroadcastDraftBody): string {
  return draft.languages?.[0] ?? (tenant.languages[0] as string)
}

/**
 * Checks a draft against its tenant: topics, languages and channels the municipality has, and a
 * variant in the default language for each channel it writes for. Throws DraftInvalidError.
 */
export function validateDraft(tenant: Tenant, draft: BroadcastDraftBody): void {
  const topics = new Set(tenant.topics.map((t) => t.id))
  draft.topics.forEach((topic, i) => {
    if (!topics.has(topic)) throw new DraftInvalidError(`${tenant.name} non ha l'argomento "${topic}" (ha: ${[...topics].join(', ')})`, `/topics/${i}`)
  })
  draft.languages?.forEach((language, i) => {
    if (!tenant.languages.includes(language)) throw new DraftInvalidError(`${tenant.name} non usa la lingua "${language}"`, `/languages/${i}`)
  })
  if (!draft.whatsapp && !draft.sms) throw new DraftInvalidError('un invio richiede un modello WhatsApp, un testo SMS o entrambi', '/')
  const fallback = defaultLanguageOf(tenant, draft)
  const channels = [
    ['whatsapp', draft.whatsapp?.variants, tenant.channels.whatsapp],
    ['sms', draft.sms?.texts, tenant.channels.sms],
  ] as const
  for (const [channel, variants, configured] of channels) {
    if (!variants) continue
    if (!configured) throw new DraftInvalidError(`${tenant.name} non ha un numero ${channel === 'sms' ? 'SMS' : 'WhatsApp'}`, `/${channel}`)
    const path = channel === 'whatsapp' ? '/whatsapp/variants' : '/sms/texts'
    for (const language of Object.keys(variants)) {
      if (!tenant.languages.includes(language)) throw new DraftInvalidError(`${tenant.name} non usa la lingua "${language}"`, `${path}/${language}`)
    }
    if (!(fallback in variants)) throw new DraftInvalidError(`manca la variante nella lingua predefinita "${fallback}"`, path)
  }
}

/** The workflow's input: the approved draft, frozen. */
export function runInputOf(broadcast: { id: string; tenant: string; draft: BroadcastDraftBody }, tenant: Tenant, sendAt: Date | null): BroadcastRunInput {
  const { draft } = broadcast
  return {
    version: 1,
    broadcastId: broadcast.id,
    tenant: broadcast.tenant,
    topics: draft.topics,
    ...(draft.languages ? { languages: draft.languages } : {}),
    defaultLanguage: defaultLanguageOf(tenant, draft),
    content: {
      ...(draft.whatsapp
        ? {
            whatsapp: {
              templateName: draft.whatsapp.templateName,
              variants: Object.fromEntries(
                Object.entries(draft.whatsapp.variants).map(([language, v]) => [language, { code: v.code, bodyParameters: v.bodyParameters ?? [] }]),
              ),
            },
          }
        : {}),
      ...(draft.sms ? { sms: { texts: draft.sms.texts } } : {}),
      ...(draft.media ? { media: draft.media } : {}),
    },
    ...(sendAt ? { sendAt: sendAt.toISOString() } : {}),
  }
}
