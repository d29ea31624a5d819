import {
  SAFETY_POLL_DEFAULT_OPEN_SECONDS,
  safetyPollPayload,
  type BroadcastContent,
  type EmergencyKind,
  type EmergencyMessage,
  type EmergencyRunInput,
  type SafetyPollSettings,
  type Tenant,
} from '@banditore/contracts'

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

/** The safety poll's question, after the alert's text (never a link: scanners would answer it). */
const POLL_PROMPT: Record<string, string> = {
  it: 'Come stai? Rispondi 1 se stai bene, 2 se hai bisogno di aiuto.',
  fr: "Comment allez-vous ? Répondez 1 si vous allez bien, 2 si vous avez besoin d'aide.",
}
const REMINDER: Record<string, string> = { it: 'PROMEMORIA - non abbiamo ancora la tua risposta.', fr: "RAPPEL - nous n'avons pas encore votre réponse." }
const HELP_NOTICE: Record<string, (tenant: string, headline: string) => string> = {
  it: (tenant, headline) => `${tenant}: RICHIESTE DI AIUTO - ${headline}. {count} nuove, {total} in tutto. Sono in cima allo sportello.`,
  fr: (tenant, headline) => `${tenant} : DEMANDES D'AIDE - ${headline}. {count} nouvelles, {total} au total. Elles sont en tête du guichet.`,
}
const pollPrompt = (language: string) => POLL_PROMPT[language] ?? (POLL_PROMPT.it as string)

const pick = <T>(byLanguage: Record<string, T> | undefined, language: string, fallback: string): T | undefined => byLanguage?.[language] ?? byLanguage?.[fallback]

/** The alert's text in one language, as one message: label, headline, description, instruction, link. */
export function alertText(tenant: Tenant, kind: EmergencyKind, message: EmergencyMessage, language: string, maxLength = 1600, question?: string): string {
  const fallback = tenant.languages[0] as string
  const label = (LABELS[language] ?? LABELS.it)?.[kind]
  const head = `${tenant.name} - ${label}: ${pick(message.headline, language, fallback) ?? ''}`
  const tail = [pick(message.instruction, language, fallback), message.link, question].filter(Boolean).join('\n')
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
  /** The safety poll staff asked for (not on an all-clear), and how often the workflow reads its count. */
  poll?: SafetyPollSettings
  pollCheckSeconds?: number
}): EmergencyRunInput {
  const { tenant, kind, message } = input
  const settings = { ...DEFAULTS, ...tenant.emergency }
  const defaultLanguage = tenant.languages[0] as string
  const alwaysOn = tenant.topics.filter((t) => t.alwaysOn).map((t) => t.id)
  const topics = alwaysOn.length > 0 ? alwaysOn : tenant.topics.map((t) => t.id)
  const poll = kind !== 'cancel' ? input.poll : undefined
  // With a poll template the buttons ask; otherwise (and on SMS) the text does.
  const buttons = poll && settings.pollTemplate ? [{ payload: safetyPollPayload(input.alertId, 'ok') }, { payload: safetyPollPayload(input.alertId, 'help') }] : undefined
  const question = (language: string, written: boolean) => (poll && written ? pollPrompt(language) : undefined)
  const texts = Object.fromEntries(tenant.languages.map((language) => [language, alertText(tenant, kind, message, language, 1600, question(language, true))]))
  type Template = NonNullable<typeof settings.whatsappTemplate>
  const whatsappOf = (template: Template | undefined, withButtons: boolean): BroadcastContent['whatsapp'] =>
    template && tenant.channels.whatsapp
      ? {
          templateName: template.name,
          ...(withButtons && buttons ? { buttons } : {}),
          variants: Object.fromEntries(
            tenant.languages
              .filter((language) => template.languages[language])
              .map((language) => [
                language,
                {
                  code: template.languages[language] as string,
                  bodyParameters: [
                    `${(LABELS[language] ?? LABELS.it)?.[kind]}: ${pick(message.headline, language, defaultLanguage)}`,
                    alertText(tenant, kind, message, language, 1024, question(language, !(withButtons && buttons))).split('\n').slice(1).join(' ').slice(0, 1024) || '-',
                  ],
                },
              ]),
          ),
        }
      : undefined
  const whatsapp = buttons ? whatsappOf(settings.pollTemplate, true) : whatsappOf(settings.whatsappTemplate, false)
  // Officials and staff get notices, not the poll: the alert's plain template.
  const noticeWhatsapp = buttons ? whatsappOf(settings.whatsappTemplate, false) : undefined
  const content: BroadcastContent = {
    ...(whatsapp ? { whatsapp } : {}),
    ...(tenant.channels.sms ? { sms: { texts } } : {}),
  }
  const headline = (language: string) => pick(message.headline, language, defaultLanguage) ?? ''
  return {
    version: 1,
    alertId: input.alertId,
    tenant: tenant.id,
    kind,
    ...(input.references ? { references: input.references } : {}),
    citizens: { version: 1, broadcastId: input.alertId, tenant: tenant.id, topics, defaultLanguage, content, priority: 'emergency', ...(poll ? { answerable: true } : {}) },
    ...(tenant.channels.sms && content.whatsapp && kind !== 'cancel' ? { smsFallback: texts } : {}),
    smsFallbackAfterSeconds: settings.smsFallbackAfterSeconds,
    ...(poll
      ? {
          poll: {
            openForSeconds: poll.openForSeconds ?? SAFETY_POLL_DEFAULT_OPEN_SECONDS,
            checkEverySeconds: input.pollCheckSeconds ?? 30,
            ...(poll.reminderAfterSeconds !== undefined ? { reminderAfterSeconds: poll.reminderAfterSeconds } : {}),
            helpNotice: Object.fromEntries(tenant.languages.map((l) => [l, (HELP_NOTICE[l] ?? HELP_NOTICE.it)!(tenant.name, headline(l))])),
            reminderContent: {
              ...content,
              ...(content.sms
                ? {
                    sms: {
                      texts: Object.fromEntries(
                        tenant.languages.map((l) => {
                          const reminder = REMINDER[l] ?? (REMINDER.it as string)
                          return [l, `${reminder}\n${alertText(tenant, kind, message, l, 1600 - reminder.length - 1, question(l, true))}`]
                        }),
                      ),
                    },
                  }
                : {}),
            },
          },
        }
      : {}),
    ...(kind !== 'cancel' && settings.officials.length + settings.onDuty.length > 0
      ? {
          escalation: {
            officials: settings.officials,
            onDuty: settings.onDuty,
            acknowledgeWithinSeconds: settings.acknowledgeWithinSeconds,
            notice: Object.fromEntries(tenant.languages.map((l) => [l, (NOTICE[l] ?? NOTICE.it)!(tenant.name, headline(l))])),
            exhaustedNotice: Object.fromEntries(tenant.languages.map((l) => [l, (EXHAUSTED[l] ?? EXHAUSTED.it)!(tenant.name, headline(l), settings.officials.length)])),
            defaultLanguage,
            ...(noticeWhatsapp ? { whatsapp: noticeWhatsapp } : {}),
          },
        }
      : {}),
  }
}
