import { parseTenant } from '@banditore/platform'
import type { BroadcastDraftBody, Tenant } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { defaultLanguageOf, runInputOf, validateDraft } from './broadcast-draft.js'
import { DraftInvalidError } from './broadcast-errors.js'

const gressan: Tenant = parseTenant('gressan.json', {
  version: 1,
  id: 'gressan',
  name: 'Comune di Gressan',
  languages: ['it', 'fr'],
  channels: { whatsapp: { phoneNumberId: '1090', number: '+393389428034', accessTokenEnv: 'WA_TOKEN', appSecretEnv: 'WA_SECRET' } },
  mode: 'unidirectional',
  signup: { doors: ['whatsapp'] },
  keywords: { subscribe: { it: ['MI ISCRIVO'] }, unsubscribe: { it: ['MI CANCELLO'] } },
  topics: [
    { id: 'emergenze', names: { it: 'EMERGENZE', fr: 'URGENCES' }, alwaysOn: true },
    { id: 'eventi', names: { it: 'EVENTI', fr: 'ÉVÉNEMENTS' } },
  ],
  texts: { it: { confirmation: 'Iscrizione confermata.' }, fr: { confirmation: 'Inscription confirmée.' } },
  privacyPolicy: { it: 'Informativa.', fr: 'Politique.' },
  contacts: {},
}) satisfies Tenant

const draft: BroadcastDraftBody = {
  title: 'Festa patronale',
  topics: ['eventi'],
  whatsapp: {
    templateName: 'evento_comunale',
    variants: { it: { code: 'it', bodyParameters: ['Festa di San Martino'] }, fr: { code: 'fr', bodyParameters: ['Fête de Saint-Martin'] } },
  },
}

const reason = (body: BroadcastDraftBody) => {
  try {
    validateDraft(gressan, body)
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(DraftInvalidError)
    return (error as DraftInvalidError).message
  }
}

describe('validateDraft', () => {
  it('accepts a draft in the tenant’s languages, on its channels and topics', () => {
    expect(reason(draft)).toBeUndefined()
  })

  it('names what the tenant cannot send', () => {
    expect(reason({ ...draft, topics: ['eventi', 'sport'] })).toMatch(/^\/topics\/1: .*non ha l'argomento "sport"/)
    expect(reason({ ...draft, languages: ['de'] })).toMatch(/^\/languages\/0: .*non usa la lingua "de"/)
    expect(reason({ ...draft, sms: { texts: { it: 'testo' } } })).toMatch(/^\/sms: .*non ha un numero SMS/)
    expect(reason({ ...draft, whatsapp: { templateName: 'x', variants: { fr: { code: 'fr', bodyParameters: [] } } } })).toMatch(/lingua predefinita "it"/)
    expect(reason({ ...draft, whatsapp: { templateName: 'x', variants: { it: { code: 'it', bodyParameters: [] }, en: { code: 'en', bodyParameters: [] } } } })).toMatch(
      /\/whatsapp\/variants\/en/,
    )
    expect(reason({ title: 'nulla', topics: ['eventi'] })).toMatch(/modello WhatsApp, un testo SMS o entrambi/)
  })

  it('takes the default language from the restriction, else the tenant', () => {
    expect(defaultLanguageOf(gressan, draft)).toBe('it')
    expect(defaultLanguageOf(gressan, { ...draft, languages: ['fr'] })).toBe('fr')
    expect(reason({ ...draft, languages: ['fr'], whatsapp: { templateName: 'x', variants: { fr: { code: 'fr', bodyParameters: [] } } } })).toBeUndefined()
  })
})

describe('runInputOf', () => {
  it('freezes the approved draft into the workflow input', () => {
    const sendAt = new Date('2026-12-01T08:00:00.000Z')
    const input = runInputOf({ id: '6f9a4e0c-58b1-4a59-9a0e-0d6c0b1e2f3a', tenant: 'gressan', draft: { ...draft, media: { kind: 'image', url: 'https://gressan.example/festa.jpg' } } }, gressan, sendAt)
    expect(input).toEqual({
      version: 1,
      broadcastId: '6f9a4e0c-58b1-4a59-9a0e-0d6c0b1e2f3a',
      tenant: 'gressan',
      topics: ['eventi'],
      defaultLanguage: 'it',
      content: {
        whatsapp: {
          templateName: 'evento_comunale',
          variants: { it: { code: 'it', bodyParameters: ['Festa di San Martino'] }, fr: { code: 'fr', bodyParameters: ['Fête de Saint-Martin'] } },
        },
        media: { kind: 'image', url: 'https://gressan.example/festa.jpg' },
      },
      sendAt: '2026-12-01T08:00:00.000Z',
    })
    expect(runInputOf({ id: 'x', tenant: 'gressan', draft }, gressan, null)).not.toHaveProperty('sendAt')
  })
})
