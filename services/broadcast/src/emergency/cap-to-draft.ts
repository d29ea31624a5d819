import { CAP_SEVERITIES, CAP_URGENCIES, type EmergencyKind, type EmergencyMessage, type Tenant } from '@banditore/contracts'
import type { CapAlert } from '../cap/index.js'

export interface CapDraft {
  kind: EmergencyKind
  message: EmergencyMessage
  /** The CAP identities of the messages an update or all-clear follows. */
  references: CapAlert['references']
  cap: { identifier: string; sender: string; sent: string; status: CapAlert['status'] }
}

/**
 * A CAP alert as an emergency draft of `tenant`: the `<info>` blocks in the tenant's languages
 * (`it-IT` → `it`), severity, urgency and certainty of the first of them, headline (the event
 * when there is none), description, instruction, the web link and the areas. Returns a reason
 * (in Italian) when the document cannot be a draft of this tenant.
 */
export function capToDraft(alert: CapAlert, tenant: Tenant): CapDraft | { reason: string } {
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') return { reason: `un messaggio CAP ${alert.msgType} non è un avviso per i cittadini` }
  if (alert.scope !== 'Public') return { reason: `l'avviso CAP ha ambito ${alert.scope}: solo gli avvisi Public vanno ai cittadini` }
  const infos = alert.infos
    .map((info) => ({ info, language: info.language.slice(0, 2).toLowerCase() }))
    .filter(({ language }) => tenant.languages.includes(language))
  const first = infos[0]?.info
  if (!first) {
    return { reason: `nessun <info> in una lingua del comune (${tenant.languages.join(', ')}); lingue del documento: ${alert.infos.map((i) => i.language).join(', ') || 'nessuna'}` }
  }
  const byLanguage = (read: (info: CapAlert['infos'][number]) => string | undefined, max: number) => {
    const entries = infos.flatMap(({ info, language }) => {
      const value = read(info)?.trim()
      return value ? [[language, value.length > max ? `${value.slice(0, max - 1)}…` : value] as const] : []
    })
    return entries.length > 0 ? Object.fromEntries(entries) : undefined
  }
  const headline = byLanguage((i) => i.headline ?? i.event, 160) as Record<string, string>
  const description = byLanguage((i) => i.description ?? i.headline ?? i.event, 1000) as Record<string, string>
  const instruction = byLanguage((i) => i.instruction, 500)
  const link = infos.map(({ info }) => info.web).find((web) => web?.startsWith('https://'))
  const areas = [...new Set(first.areas.map((a) => a.areaDesc))].join('; ')
  const kind: EmergencyKind = alert.msgType === 'Update' ? 'update' : alert.msgType === 'Cancel' ? 'cancel' : 'alert'
  return {
    kind,
    message: {
      severity: CAP_SEVERITIES.includes(first.severity) ? first.severity : 'Unknown',
      urgency: CAP_URGENCIES.includes(first.urgency) ? first.urgency : 'Unknown',
      certainty: first.certainty,
      headline,
      description,
      ...(instruction ? { instruction } : {}),
      ...(link && link.length <= 500 ? { link } : {}),
      ...(areas ? { area: areas.slice(0, 500) } : {}),
    },
    references: alert.references,
    cap: { identifier: alert.identifier, sender: alert.sender, sent: alert.sent, status: alert.status },
  }
}
