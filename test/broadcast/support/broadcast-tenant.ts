import { parseTenant, TenantDirectory } from '@banditore/platform'

/** The secrets the test tenant's file names, by environment variable. */
export const SECRETS: Record<string, string> = {
  BORGO_WA_TOKEN: 'borgo-access-token',
  BORGO_WA_SECRET: 'borgo-app-secret',
  BORGO_SMS_SID: 'ACborgo',
  BORGO_SMS_TOKEN: 'borgo-auth-token',
}

export const BORGO = {
  id: 'borgo',
  phoneNumberId: '109000000000777',
  whatsappNumber: '+393330000777',
  smsNumber: '+393330000778',
} as const

export interface BorgoOptions {
  whatsappMps?: number
  smsMps?: number
  extraTopics?: string[]
}

/** A municipality with a WhatsApp number and an SMS number at the given tiers. */
export function borgoTenant(options: BorgoOptions = {}): TenantDirectory {
  return new TenantDirectory([parseTenant('borgo.json', borgoTenantDocument(options))])
}

/** The tenant file's content (tenants/borgo.json). */
export function borgoTenantDocument({ whatsappMps = 80, smsMps = 10, extraTopics = [] }: BorgoOptions = {}): Record<string, unknown> {
  return {
    version: 1,
    id: BORGO.id,
    name: 'Comune di Borgo',
    languages: ['it', 'fr'],
    channels: {
      whatsapp: {
        phoneNumberId: BORGO.phoneNumberId,
        number: BORGO.whatsappNumber,
        accessTokenEnv: 'BORGO_WA_TOKEN',
        appSecretEnv: 'BORGO_WA_SECRET',
        messagesPerSecond: whatsappMps,
      },
      sms: { number: BORGO.smsNumber, accountSidEnv: 'BORGO_SMS_SID', authTokenEnv: 'BORGO_SMS_TOKEN', messagesPerSecond: smsMps },
    },
    mode: 'unidirectional',
    signup: { doors: ['whatsapp', 'sms'] },
    keywords: { subscribe: { it: ['ISCRIVIMI'], fr: ['INSCRIS-MOI'] }, unsubscribe: { it: ['CANCELLAMI'], fr: ['DÉSINSCRIS-MOI'] } },
    topics: [
      { id: 'emergenze', names: { it: 'EMERGENZE', fr: 'URGENCES' }, alwaysOn: true },
      { id: 'avvisi', names: { it: 'AVVISI', fr: 'AVIS' } },
      { id: 'eventi', names: { it: 'EVENTI', fr: 'ÉVÉNEMENTS' } },
      ...extraTopics.map((id) => ({ id, names: { it: id.toUpperCase(), fr: id.toUpperCase() } })),
    ],
    texts: { it: { confirmation: 'Iscrizione confermata.' }, fr: { confirmation: 'Inscription confirmée.' } },
    privacyPolicy: { it: 'Informativa sul trattamento dei dati personali del Comune di Borgo.', fr: 'Politique de confidentialité de la Commune de Borgo.' },
    contacts: { email: 'urp@borgo.example' },
  }
}
