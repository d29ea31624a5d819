import type { AlertTemplate, BulletinOrigin, EmergencyMessage, Tenant } from '@banditore/contracts'
import { italianDay } from './dpc-bulletin.js'

type Colour = BulletinOrigin['colour']

const LABEL: Record<string, Record<Colour, string>> = {
  it: { orange: 'ALLERTA ARANCIONE', red: 'ALLERTA ROSSA' },
  fr: { orange: 'ALERTE ORANGE', red: 'ALERTE ROUGE' },
}
const labelOf = (language: string, colour: Colour) => (LABEL[language] ?? (LABEL.it as Record<Colour, string>))[colour]

const HEADLINE: Record<string, (tenant: string, label: string, day: string, zone: string) => string> = {
  it: (tenant, label, day, zone) => `${tenant}: ${label} per il ${day} (zona di allerta ${zone})`,
  fr: (tenant, label, day, zone) => `${tenant} : ${label} pour le ${day} (zone d'alerte ${zone})`,
}
const FROM_BULLETIN: Record<string, (origin: BulletinOrigin, label: string, day: string) => string> = {
  it: (o, label, day) =>
    `Il bollettino di criticità idrogeologica e idraulica del Dipartimento della Protezione Civile (${o.bulletinName}) indica per il ${day} ${label} nella zona di allerta ${o.zone}: ${o.criticality}.`,
  fr: (o, label, day) =>
    `Le bulletin de criticité hydrogéologique et hydraulique du Département de la protection civile (${o.bulletinName}) indique pour le ${day} ${label} dans la zone d'alerte ${o.zone} : ${o.criticality}.`,
}
const NOTICE: Record<string, (tenant: string, label: string, day: string, zone: string) => string> = {
  it: (tenant, label, day, zone) =>
    `${tenant}: bozza di allerta dal bollettino di criticità DPC, ${label} per il ${day}, zona ${zone}. Non è stata inviata ai cittadini: verificala e inviala dalla console (Emergenze).`,
  fr: (tenant, label, day, zone) =>
    `${tenant} : projet d'alerte issu du bulletin de criticité DPC, ${label} pour le ${day}, zone ${zone}. Il n'a pas été envoyé aux citoyens : vérifiez-le et envoyez-le depuis la console (Urgences).`,
}

const pick = <T>(byLanguage: Record<string, T>, language: string): T => (byLanguage[language] ?? byLanguage.it) as T
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text)

/**
 * The draft of an orange or red reading: the tenant's template, in every tenant language, with
 * the day, the zone and the colour said first (headline) and the bulletin's own words before
 * the template's text. Severity follows the colour (orange Severe, red Extreme).
 */
export function bulletinDraftMessage(tenant: Tenant, template: AlertTemplate, origin: BulletinOrigin): EmergencyMessage {
  const day = italianDay(origin.day)
  const fallback = tenant.languages[0] as string
  const text = (byLanguage: Record<string, string> | undefined, language: string) => byLanguage?.[language] ?? byLanguage?.[fallback]
  const per = (make: (language: string) => string | undefined) =>
    Object.fromEntries(tenant.languages.flatMap((language) => {
      const value = make(language)
      return value ? [[language, value]] : []
    }))
  const instruction = per((language) => text(template.instruction, language))
  return {
    severity: origin.colour === 'red' ? 'Extreme' : 'Severe',
    urgency: template.urgency,
    certainty: template.certainty,
    headline: per((language) => clip(pick(HEADLINE, language)(tenant.name, labelOf(language, origin.colour), day, origin.zone), 160)),
    description: per((language) => [pick(FROM_BULLETIN, language)(origin, labelOf(language, origin.colour), day), text(template.description, language)].filter(Boolean).join('\n\n')),
    ...(Object.keys(instruction).length > 0 ? { instruction } : {}),
    ...(template.link ? { link: template.link } : {}),
    ...(template.area ? { area: template.area } : {}),
  }
}

/** What the staff on duty receive: a draft awaits them (per tenant language). */
export function bulletinNoticeTexts(tenant: Tenant, origin: BulletinOrigin): Record<string, string> {
  const day = italianDay(origin.day)
  return Object.fromEntries(tenant.languages.map((language) => [language, pick(NOTICE, language)(tenant.name, labelOf(language, origin.colour), day, origin.zone)]))
}
