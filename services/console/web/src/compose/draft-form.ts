import type { BroadcastDraftBody, ComposeOptions } from '../api/types'

/** What the editor holds while writing; autosaved to localStorage so it survives an expired session. */
export interface DraftForm {
  title: string
  topics: string[]
  languages: string[]
  whatsappEnabled: boolean
  templateName: string
  /** Body parameters per language. */
  parameters: Record<string, string[]>
  smsEnabled: boolean
  smsTexts: Record<string, string>
  mediaUrl: string
  mediaKind: 'image' | 'document'
}

export const emptyForm = (options: ComposeOptions): DraftForm => ({
  title: '',
  topics: [],
  languages: options.languages.slice(0, 1),
  whatsappEnabled: Boolean(options.channels.whatsapp),
  // The first template Meta lets us send (all of them when the registry never synced).
  templateName: (options.templates.find((t) => t.registry?.usable !== false) ?? options.templates[0])?.name ?? '',
  parameters: {},
  smsEnabled: Boolean(options.channels.sms),
  smsTexts: {},
  mediaUrl: '',
  mediaKind: 'image',
})

export function formOf(draft: BroadcastDraftBody, options: ComposeOptions): DraftForm {
  const languages = draft.languages ?? [...new Set([...Object.keys(draft.whatsapp?.variants ?? {}), ...Object.keys(draft.sms?.texts ?? {})])]
  return {
    title: draft.title,
    topics: draft.topics,
    languages: languages.length > 0 ? languages : options.languages.slice(0, 1),
    whatsappEnabled: Boolean(draft.whatsapp),
    templateName: draft.whatsapp?.templateName ?? options.templates[0]?.name ?? '',
    parameters: Object.fromEntries(Object.entries(draft.whatsapp?.variants ?? {}).map(([l, v]) => [l, v.bodyParameters ?? []])),
    smsEnabled: Boolean(draft.sms),
    smsTexts: draft.sms?.texts ?? {},
    mediaUrl: draft.media?.url ?? '',
    mediaKind: draft.media?.kind ?? 'image',
  }
}

/** The API's draft body; `languages` is sent only when not all of the tenant's. */
export function bodyOf(form: DraftForm, options: ComposeOptions): BroadcastDraftBody {
  const template = options.templates.find((t) => t.name === form.templateName)
  const languages = form.languages.filter((l) => options.languages.includes(l))
  const body: BroadcastDraftBody = { title: form.title.trim(), topics: form.topics }
  if (languages.length > 0 && languages.length < options.languages.length) body.languages = languages
  if (form.whatsappEnabled && options.channels.whatsapp && form.templateName) {
    body.whatsapp = {
      templateName: form.templateName,
      variants: Object.fromEntries(
        languages.map((l) => [l, { code: template?.languages[l]?.code ?? l, bodyParameters: (form.parameters[l] ?? []).map((p) => p.trim()) }]),
      ),
    }
  }
  if (form.smsEnabled && options.channels.sms) {
    body.sms = { texts: Object.fromEntries(languages.map((l) => [l, form.smsTexts[l] ?? ''])) }
  }
  if (form.mediaUrl.trim()) body.media = { kind: form.mediaKind, url: form.mediaUrl.trim() }
  return body
}

/** The template's body with its parameters filled in (placeholders left visible when empty). */
export function renderTemplate(body: string, parameters: readonly string[]) {
  return body.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => parameters[Number(n) - 1]?.trim() || whole)
}

const key = (tenant: string, id: string | undefined) => `banditore.console.draft.${tenant}.${id ?? 'nuova'}`

export const savedDraft = {
  read(tenant: string, id: string | undefined): DraftForm | null {
    try {
      const raw = window.localStorage.getItem(key(tenant, id))
      return raw ? (JSON.parse(raw) as DraftForm) : null
    } catch {
      return null
    }
  },
  write(tenant: string, id: string | undefined, form: DraftForm) {
    window.localStorage.setItem(key(tenant, id), JSON.stringify(form))
  },
  clear(tenant: string, id: string | undefined) {
    window.localStorage.removeItem(key(tenant, id))
  },
}
