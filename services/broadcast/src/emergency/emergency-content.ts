import type { BroadcastContent, EmergencyKind, EmergencyMessage, EmergencyRunInput, Tenant } from '@banditore/contracts'

/** The defaults of a tenant without an `emergency` block: no chain, fallback after 5 minutes. */
const DEFAULTS = { smsFallbackAfterSeconds: 300, acknowledgeWithinSeconds: 600, officials: [], onDuty: [] }

const LABELS: Record<string, Record<EmergencyKind, string>> = {
  it: { alert: 'ALLERTA', update: 'AGGIORNAMENTO ALLERTA', cancel: 'CESSATO ALLARME' },
  fr: { alert: 'ALERTE', update: "MISE À JOUR DE L'ALERTE", cancel: "FIN D'ALERTE" },
}
const NOTICE: Record<string, (tenant: string, headline: string) => string> = {
  it: (tenant, headline) => `${tenant}: ALLERTA IN CORSO - ${headline}. Rispondi OK a questo messaggio per prenderla in carico.`,
  fr: (tenant, headline) => `${tenant} : ALERTE EN COURS - ${headline}. Répondez OK à ce message pour la prendre en charge.`,
}
const EXHAUSTED: Record<string, (tenant: string, headline: string, officials: number) => string> = {
  it: (tenant, headline, officials) =>
    `${tenant}: ALLERTA SENZA PRESA IN CARICO - ${headline}. Nessuno dei ${officials} responsabili ha risposto. Rispondi OK per prenderla in carico.`,
  fr: (tenant, headline, officials) =>
    `${tenant} : ALERTE NON PRISE EN CHARGE - ${headline}. Aucun des ${officials} responsables n'a répondu. Répondez OK pour la prendre en charge.`,
}

const pick = <T>(byLanguage: Record<string, T> | undefined, language: string, fallback: string): T | undefined => byLanguage?.[language] ?? byLanguage?.[fallback]

/** The alert's text in one language, as one message: label, headline, description, instruction, link. */
export function alertText(tenant: Tenant, kind: EmergencyKind, message: EmergencyMessage, language: string, maxLength = 1600): string {
  const fallback = tenant.languages[0] as string
  const label = (LABELS[language] ?? LABELS.it)?.[kind]
  const head = `${tenant.name} - ${label}: ${pick(message.headline, language, fallback) ?? ''}`
  const tail = [pick(message.instruction, language, fallback), message.link].filter(Boolean).join('\n')
  const room = maxLength - head.length - tail.length - 2
  let description = pick(message.description, language, fallback) ?? ''
  if (description.length > room) description = `${description.slice(0, Math.max(0, room - 1))}…`
  return [head, description, tail].filter(Boolean).join('\n')
}

/**
 * The workflow input for an alert, from the tenant file at trigger time: citizens (every
 * subscriber: the tenant's always-on topics) get the approved WhatsApp template (headline, text)
 * or the SMS text in their language; officials get a notice they answer to acknowledge.
 */
export function emergencyRunInput(input: {
  alertId: string
  tenant: Tenant
  kind: EmergencyKind
  references?: string
  message: EmergencyMessage
}): EmergencyRunInput {
  const { tenant, kind, message } = input
  const settings = { ...DEFAULTS, ...tenant.emergency }
  const defaultLanguage = tenant.languages[0] as string
  const alwaysOn = tenant.topics.filter((t) => t.alwaysOn).map((t) => t.id)
  const topics = alwaysOn.length > 0 ? alwaysOn : tenant.topics.map((t) => t.id)
  const texts = Object.fromEntries(tenant.languages.map((language) => [language, alertText(tenant, kind, message, language)]))
  const template = settings.whatsappTemplate
  const content: BroadcastContent = {
    ...(template && tenant.channels.whatsapp
      ? {
          whatsapp: {
            templateName: template.name,
            variants: Object.fromEntries(
              tenant.languages
                .filter((language) => template.languages[language])
                .map((language) => [
                  language,
                  {
                    code: template.languages[language] as string,
                    bodyParameters: [
                      `${(LABELS[language] ?? LABELS.it)?.[kind]}: ${pick(message.headline, language, defaultLanguage)}`,
                      alertText(tenant, kind, message, language, 1024).split('\n').slice(1).join(' ').slice(0, 1024) || '-',
                    ],
                  },
                ]),
            ),
          },
        }
      : {}),
    ...(tenant.channels.sms ? { sms: { texts } } : {}),
  }
  const headline = (language: string) => pick(message.headline, language, defaultLanguage) ?? ''
  return {
    version: 1,
    alertId: input.alertId,
    tenant: tenant.id,
    kind,
    ...(input.references ? { references: input.references } : {}),
    citizens: { version: 1, broadcastId: input.alertId, tenant: tenant.id, topics, defaultLanguage, content, priority: 'emergency' },
    ...(tenant.channels.sms && content.whatsapp && kind !== 'cancel' ? { smsFallback: texts } : {}),
    smsFallbackAfterSeconds: settings.smsFallbackAfterSeconds,
    ...(kind !== 'cancel' && settings.officials.length + settings.onDuty.length > 0
      ? {
          escalation: {
            officials: settings.officials,
            onDuty: settings.onDuty,
            acknowledgeWithinSeconds: settings.acknowledgeWithinSeconds,
            notice: Object.fromEntries(tenant.languages.map((l) => [l, (NOTICE[l] ?? NOTICE.it)!(tenant.name, headline(l))])),
            exhaustedNotice: Object.fromEntries(tenant.languages.map((l) => [l, (EXHAUSTED[l] ?? EXHAUSTED.it)!(tenant.name, headline(l), settings.officials.length)])),
            defaultLanguage,
          },
        }
      : {}),
  }
}
