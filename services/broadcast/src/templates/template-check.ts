import type { BroadcastDraftBody, ComposeTemplate, Tenant, TemplateRegistryEntry, TemplateRegistrySync } from '@banditore/contracts'
import { DraftInvalidError } from '../broadcast-errors.js'
import type { TemplateSnapshot } from '../repositories/whatsapp-template.repository.js'

/** Meta's template states as staff read them. */
export const TEMPLATE_STATUS_IT: Readonly<Record<string, string>> = {
  APPROVED: 'approvato',
  PENDING: 'in revisione',
  REJECTED: 'rifiutato',
  PAUSED: 'sospeso',
  DISABLED: 'disattivato',
  IN_APPEAL: 'in appello',
  PENDING_DELETION: 'in eliminazione',
  DELETED: 'eliminato',
  LIMIT_EXCEEDED: 'oltre il limite di modelli',
  MISSING: 'assente',
}
const statusIt = (status: string) => TEMPLATE_STATUS_IT[status] ?? status.toLowerCase()

/** Why a status stops a template, when Meta gives a reason staff can act on. */
const STATUS_HINT: Readonly<Record<string, string>> = {
  PAUSED: ': Meta lo ha sospeso per la bassa qualità (segnalazioni dei destinatari) e lo riattiva da sé dopo alcune ore, o lo si modifica',
  DISABLED: ': Meta lo ha disattivato dopo ripetute sospensioni; serve un nuovo modello',
  PENDING: ': Meta non ha ancora concluso la revisione',
  REJECTED: ': Meta lo ha respinto in revisione; va corretto e ripresentato',
}

const when = (date: Date) => new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(date)

const entryOf = (snapshot: TemplateSnapshot, name: string, code: string): TemplateRegistryEntry | undefined =>
  snapshot.templates.find((t) => t.name === name && t.language === code)

/**
 * Refuses (DraftInvalidError, 422) a draft whose WhatsApp template the registry knows cannot be
 * sent: absent in a language, not APPROVED, or with another number of parameters than the draft
 * fills. A registry that never synced checks nothing (the tenant file is all there is).
 */
export function checkDraftTemplate(draft: BroadcastDraftBody, snapshot: TemplateSnapshot): void {
  const syncedAt = snapshot.sync?.syncedAt
  if (!draft.whatsapp || !syncedAt) return
  const name = draft.whatsapp.templateName
  for (const [language, variant] of Object.entries(draft.whatsapp.variants)) {
    const path = `/whatsapp/variants/${language}`
    const entry = entryOf(snapshot, name, variant.code)
    if (!entry) {
      throw new DraftInvalidError(
        `il modello WhatsApp "${name}" non esiste nella lingua "${variant.code}" tra i modelli dell'account WhatsApp Business (letti da Meta il ${when(syncedAt)}): sceglierne un altro o farlo approvare da Meta`,
        path,
      )
    }
    if (entry.status !== 'APPROVED') {
      throw new DraftInvalidError(
        `il modello WhatsApp "${name}" (${variant.code}) è ${statusIt(entry.status)} (stato Meta ${entry.status})${STATUS_HINT[entry.status] ?? ''}; si può inviare solo un modello approvato`,
        path,
      )
    }
    const given = variant.bodyParameters?.length ?? 0
    if (given !== entry.parameterCount) {
      throw new DraftInvalidError(
        `il modello WhatsApp "${name}" (${variant.code}) ha ${entry.parameterCount} ${entry.parameterCount === 1 ? 'parametro' : 'parametri'}, la bozza ne compila ${given}`,
        `${path}/bodyParameters`,
      )
    }
  }
}

/** The registry's state as staff read it. */
export function syncStateOf(tenant: Tenant, snapshot: TemplateSnapshot | undefined): TemplateRegistrySync {
  const sync = snapshot?.sync
  const base = { syncedAt: sync?.syncedAt?.toISOString() ?? null, attemptedAt: sync?.attemptedAt.toISOString() ?? null, lastError: sync?.error ?? null }
  if (tenant.channels.whatsapp && !tenant.channels.whatsapp.businessAccountId) {
    return {
      ...base,
      state: 'not-configured',
      message:
        "Il file del comune non indica l'account WhatsApp Business (businessAccountId): stato, categoria e qualità dei modelli non sono verificati presso Meta; valgono i modelli del file del comune.",
    }
  }
  if (!sync?.syncedAt) {
    return {
      ...base,
      state: 'never-synced',
      message: `I modelli non sono ancora stati letti da Meta${sync?.error ? ` (ultimo tentativo: ${sync.error})` : ''}: valgono i modelli del file del comune, senza verifica di stato e qualità.`,
    }
  }
  return {
    ...base,
    state: 'synced',
    message: sync.error
      ? `Ultima lettura da Meta non riuscita (${when(sync.attemptedAt)}: ${sync.error}); si usano i modelli letti il ${when(sync.syncedAt)}.`
      : `Modelli letti da Meta il ${when(sync.syncedAt)}.`,
  }
}

const QUALITY_RANK = { RED: 0, YELLOW: 1, UNKNOWN: 2, GREEN: 3 } as const

/** The tenant file's templates, each with what the registry says of its translations (when it synced). */
export function composeTemplatesOf(tenant: Tenant, snapshot: TemplateSnapshot | undefined): ComposeTemplate[] {
  const synced = Boolean(snapshot?.sync?.syncedAt)
  return (tenant.whatsappTemplates ?? []).map((template) => {
    if (!synced || !snapshot) return template
    const languages = Object.fromEntries(
      Object.entries(template.languages).map(([language, { code }]) => {
        const entry = entryOf(snapshot, template.name, code)
        return [language, { code, status: entry?.status ?? 'MISSING', qualityRating: entry?.qualityRating ?? 'UNKNOWN', parameterCount: entry?.parameterCount ?? null }] as const
      }),
    )
    const translations = Object.values(languages)
    const blocked = translations.find((t) => t.status !== 'APPROVED')
    const lowest = translations.reduce<keyof typeof QUALITY_RANK>((low, t) => (QUALITY_RANK[t.qualityRating] < QUALITY_RANK[low] ? t.qualityRating : low), 'GREEN')
    const category = snapshot.templates.find((t) => t.name === template.name)?.category ?? null
    return {
      ...template,
      registry: {
        status: blocked?.status ?? 'APPROVED',
        category,
        qualityRating: translations.length > 0 ? lowest : 'UNKNOWN',
        usable: !blocked && translations.every((t) => t.parameterCount === template.parameters.length),
        languages,
      },
    }
  })
}

/** Templates of the business account the tenant file does not offer. */
export function unconfiguredTemplatesOf(tenant: Tenant, snapshot: TemplateSnapshot | undefined): TemplateRegistryEntry[] {
  const configured = new Set((tenant.whatsappTemplates ?? []).map((t) => t.name))
  return (snapshot?.templates ?? []).filter((t) => !configured.has(t.name))
}

/** The category the plan prices a WhatsApp broadcast at: the registry's, when it knows the template. */
export function registryCategoryOf(draft: BroadcastDraftBody, snapshot: TemplateSnapshot): 'utility' | 'marketing' | 'authentication' | undefined {
  if (!draft.whatsapp) return undefined
  const name = draft.whatsapp.templateName
  const codes = new Set(Object.values(draft.whatsapp.variants).map((v) => v.code))
  const category = (snapshot.templates.find((t) => t.name === name && codes.has(t.language)) ?? snapshot.templates.find((t) => t.name === name))?.category.toLowerCase()
  return category === 'utility' || category === 'marketing' || category === 'authentication' ? category : undefined
}
