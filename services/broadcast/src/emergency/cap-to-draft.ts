import { CAP_SEVERITIES, CAP_URGENCIES, type EmergencyKind, type EmergencyMessage, type Tenant } from '@banditore/contracts'
import type { CapAlert, CapInfo } from '../cap/index.js'

/** The CAP identity of a draft, kept with it (`cap` of the emergency). */
export interface CapDraftOrigin {
  identifier: string
  sender: string
  sent: string
  status: CapAlert['status']
  /** The latest `<expires>` of the blocks used; absent when one of them gives none. */
  expires?: string
  /**
   * Set when no `<info>` is in a language of the tenant: the text as the issuer wrote it, for
   * staff to translate. Until they do, the draft has no text in the tenant's languages and
   * cannot be sent.
   */
  translation?: CapTranslation
}

export interface CapTranslation {
  /** The language of the text to translate, as the document gives it (`en-GB`). */
  from: string
  /** The languages it must be translated into (the tenant's). */
  into: string[]
  headline: string
  description: string
  instruction?: string
  /** Who translated it, once staff did. */
  translatedBy?: string
}

export interface CapDraft {
  kind: EmergencyKind
  message: EmergencyMessage
  /** The CAP identities of the messages an update or all-clear follows. */
  references: CapAlert['references']
  cap: CapDraftOrigin
  /** A Cancel without `<info>`: CAP defines it by its `<references>`, the text is ours. */
  allClearByReferences?: true
}

/** CAP 1.2, 3.2.1 status: only Actual is for the public; the others, why not, in Italian. */
const NOT_FOR_CITIZENS: Record<Exclude<CapAlert['status'], 'Actual'>, string> = {
  Test: "è un messaggio di prova tecnica (<status> Test): per lo standard CAP chi lo riceve deve ignorarlo, quindi non diventa un'allerta per i cittadini",
  Exercise: "è un'esercitazione (<status> Exercise): per lo standard CAP riguarda solo i partecipanti designati, quindi non diventa un'allerta per i cittadini",
  System: "è un messaggio di servizio della rete di allertamento (<status> System), non un avviso per i cittadini",
  Draft: "è una bozza non emessa (<status> Draft): per lo standard CAP non va usata, quindi non diventa un'allerta per i cittadini",
}

/** The all-clear of a Cancel without `<info>`, per language (Italian for any other). */
const ALL_CLEAR: Record<string, { headline: string; description: (sender: string) => string }> = {
  it: { headline: 'Cessato allarme', description: (sender) => `L'ente che aveva emesso l'allerta (${sender}) l'ha revocata.` },
  fr: { headline: "Fin d'alerte", description: (sender) => `L'organisme qui avait émis l'alerte (${sender}) l'a révoquée.` },
  de: { headline: 'Entwarnung', description: (sender) => `Die Stelle, die die Warnung herausgegeben hatte (${sender}), hat sie aufgehoben.` },
}

/** The headline limit of a message (CAP says a headline SHOULD stay under 160 characters). */
const HEADLINE_MAX = 160

/**
 * A CAP alert as an emergency draft of `tenant`, or a reason (in Italian) why it cannot be one.
 *
 * - Only `Actual`, `Public` alerts, updates and cancels reach citizens.
 * - A Cancel without `<info>` is an all-clear of what its `<references>` name.
 * - Per language of the tenant (`it-IT` → `it`), the `<info>` blocks of that language are one
 *   sequence (CAP 3.2.2): the first sets severity, urgency, certainty, headline; later blocks may
 *   only add to it, so their texts are appended (a block for another hazard under its own heading).
 * - Description and instruction are kept whole: CAP sets no length; channels split them.
 * - `<expires>` is kept; an alert or update whose every block has expired by `now` is refused
 *   (an all-clear is not: it ends an alert whatever its own expiry).
 * - With no block in a tenant language, the draft carries the issuer's text to translate.
 */
export function capToDraft(alert: CapAlert, tenant: Tenant, now: Date = new Date()): CapDraft | { reason: string } {
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') return { reason: `un messaggio CAP ${alert.msgType} non è un avviso per i cittadini` }
  if (alert.status !== 'Actual') return { reason: `l'avviso CAP ${NOT_FOR_CITIZENS[alert.status]}` }
  if (alert.scope !== 'Public') return { reason: `l'avviso CAP ha ambito ${alert.scope}: solo gli avvisi Public vanno ai cittadini` }
  const kind: EmergencyKind = alert.msgType === 'Update' ? 'update' : alert.msgType === 'Cancel' ? 'cancel' : 'alert'
  const origin = { identifier: alert.identifier, sender: alert.sender, sent: alert.sent, status: alert.status }

  if (alert.infos.length === 0) {
    if (kind !== 'cancel') return { reason: `l'avviso CAP ${alert.msgType} non ha blocchi <info>: non c'è testo per i cittadini` }
    // CAP 3.2.1: Cancel "cancels the earlier message(s) identified in <references>"; no <info> needed.
    const texts = (pick: (text: (typeof ALL_CLEAR)[string]) => string) =>
      Object.fromEntries(tenant.languages.map((language) => [language, pick(ALL_CLEAR[language] ?? (ALL_CLEAR.it as (typeof ALL_CLEAR)[string]))]))
    return {
      kind,
      message: {
        severity: 'Unknown',
        urgency: 'Unknown',
        headline: texts((text) => text.headline),
        description: texts((text) => text.description(alert.sender)),
      },
      references: alert.references,
      cap: origin,
      allClearByReferences: true,
    }
  }

  const sequences = sequencesByLanguage(alert.infos)
  const chosen = [...sequences].filter(([language]) => tenant.languages.includes(language))
  const used = chosen.length > 0 ? chosen : [sourceForTranslation(sequences)]
  const blocks = used.flatMap(([, infos]) => infos)
  const expiries = blocks.map((info) => info.expires)
  const expires = expiries.every((value): value is string => value !== undefined)
    ? expiries.reduce((latest, value) => (Date.parse(value) > Date.parse(latest) ? value : latest))
    : undefined
  // An all-clear ends an alert whatever its own <expires>; an alert or update past it is refused.
  if (expires !== undefined && kind !== 'cancel' && Date.parse(expires) < now.getTime()) {
    return { reason: `l'avviso CAP è scaduto il ${romeTime(expires)} (<expires> ${expires}): un avviso scaduto non diventa una bozza` }
  }
  // Severity, urgency and certainty are the first block's of the tenant's main language (or of
  // the first language used): later blocks may not override them.
  const lead = (chosen.find(([language]) => language === tenant.languages[0]) ?? used[0])?.[1][0] as CapInfo
  const texts = new Map(used.map(([language, infos]) => [language, sequenceTexts(infos)]))
  const link = blocks.map((info) => info.web).find((web) => web?.startsWith('https://'))
  const areas = [...new Set(blocks.flatMap((info) => info.areas.map((area) => area.areaDesc)))].join('; ')
  const measures = {
    severity: CAP_SEVERITIES.includes(lead.severity) ? lead.severity : 'Unknown',
    urgency: CAP_URGENCIES.includes(lead.urgency) ? lead.urgency : 'Unknown',
    certainty: lead.certainty,
    ...(link && link.length <= 500 ? { link } : {}),
    ...(areas ? { area: areas.length > 500 ? `${areas.slice(0, 499)}…` : areas } : {}),
  } as const
  const cap = { ...origin, ...(expires !== undefined ? { expires } : {}) }

  if (chosen.length === 0) {
    const [from, infos] = used[0] as [string, CapInfo[]]
    const text = texts.get(from) as SequenceText
    return {
      kind,
      // No text in the tenant's languages yet: staff translate it before it can be sent.
      message: { ...measures, headline: {}, description: {} },
      references: alert.references,
      cap: {
        ...cap,
        translation: {
          from: (infos[0] as CapInfo).language,
          into: [...tenant.languages],
          headline: text.headline,
          description: text.description,
          ...(text.instruction !== undefined ? { instruction: text.instruction } : {}),
        },
      },
    }
  }
  const byLanguage = (field: keyof SequenceText) =>
    Object.fromEntries([...texts].flatMap(([language, text]) => (text[field] !== undefined ? [[language, text[field]]] : [])))
  const instruction = byLanguage('instruction')
  return {
    kind,
    message: {
      ...measures,
      headline: byLanguage('headline'),
      description: byLanguage('description'),
      ...(Object.keys(instruction).length > 0 ? { instruction } : {}),
    },
    references: alert.references,
    cap,
  }
}

/** The `<info>` blocks per two-letter language, in document order (CAP 3.2.2 note 1). */
function sequencesByLanguage(infos: readonly CapInfo[]): Map<string, CapInfo[]> {
  const sequences = new Map<string, CapInfo[]>()
  for (const info of infos) {
    const language = (info.language.split('-')[0] as string).toLowerCase()
    sequences.set(language, [...(sequences.get(language) ?? []), info])
  }
  return sequences
}

/** The text offered for translation: English when the document has it (staff most often read it), else the first. */
function sourceForTranslation(sequences: Map<string, CapInfo[]>): [string, CapInfo[]] {
  return ([...sequences].find(([language]) => language === 'en') ?? [...sequences][0]) as [string, CapInfo[]]
}

interface SequenceText {
  headline: string
  description: string
  instruction?: string
}

/**
 * One language's blocks as one text: the first block's headline (its event when it has none);
 * its description, then each later block's, under that block's headline when it differs (another
 * hazard); instructions likewise. Texts a later block repeats are not repeated. A headline over
 * 160 characters is shortened, and given whole at the top of the description.
 */
function sequenceTexts(infos: readonly CapInfo[]): SequenceText {
  const first = infos[0] as CapInfo
  const title = (info: CapInfo) => (info.headline ?? info.event).trim()
  const fullHeadline = title(first)
  const headline = fullHeadline.length > HEADLINE_MAX ? `${fullHeadline.slice(0, HEADLINE_MAX - 1)}…` : fullHeadline
  const descriptions: string[] = []
  const instructions: string[] = []
  if (headline !== fullHeadline) descriptions.push(fullHeadline)
  infos.forEach((info, index) => {
    const heading = index > 0 && title(info) !== fullHeadline ? title(info) : undefined
    const description = info.description?.trim() || (index === 0 ? fullHeadline : heading)
    const section = heading !== undefined && description !== heading ? `${heading}\n${description}` : description
    if (section && !descriptions.includes(section)) descriptions.push(section)
    const instruction = info.instruction?.trim()
    if (instruction) {
      const part = heading !== undefined ? `${heading}\n${instruction}` : instruction
      if (!instructions.includes(part) && !instructions.includes(instruction)) instructions.push(part)
    }
  })
  return {
    headline,
    description: descriptions.join('\n\n'),
    ...(instructions.length > 0 ? { instruction: instructions.join('\n\n') } : {}),
  }
}

/** A CAP date-time as staff in Italy read it: `23/11/2026 18:00`, Rome time. */
function romeTime(value: string): string {
  return new Intl.DateTimeFormat('it-IT', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'short' }).format(new Date(value))
}
