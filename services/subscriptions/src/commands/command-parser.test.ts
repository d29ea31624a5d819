import { fileURLToPath } from 'node:url'
import type { InboundMessage } from '@banditore/contracts'
import { loadTenantDirectory } from '@banditore/platform'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildTenantProfiles, type TenantProfile } from '../tenant/tenant-profile.js'
import { parseCommand } from './command-parser.js'
import { normalizeCommandText } from './command-text.js'

let profiles: Map<string, TenantProfile>
const profile = (id: string) => profiles.get(id)!

beforeAll(async () => {
  const directory = await loadTenantDirectory(fileURLToPath(new URL('../../../../tenants', import.meta.url)))
  profiles = buildTenantProfiles(directory.all())
})

function message(tenant: string, text: string, extra: Partial<InboundMessage> = {}): InboundMessage {
  return {
    version: 1,
    id: 'whatsapp-cloud:wamid.1',
    tenant,
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    providerMessageId: 'wamid.1',
    from: '+393331234567',
    to: '+393667695184',
    type: 'text',
    text,
    sentAt: '2026-03-10T10:00:00Z',
    receivedAt: '2026-03-10T10:00:01Z',
    ...extra,
  }
}

const parse = (tenant: string, text: string, extra: Partial<InboundMessage> = {}, preferred?: string) =>
  parseCommand(profile(tenant), message(tenant, text, extra), preferred)

describe('normalizeCommandText', () => {
  it('ignores case, accents, punctuation, emoji and spacing but keeps words apart', () => {
    expect(normalizeCommandText('  je me désinscris !! 🙏 ')).toBe('JE ME DESINSCRIS')
    expect(normalizeCommandText("Je m’inscris")).toBe('JE M INSCRIS')
    expect(normalizeCommandText('add-wa')).toBe('ADD WA')
    expect(normalizeCommandText('ADDWA')).toBe('ADDWA')
  })
})

describe('parseCommand on the seed tenants', () => {
  it.each([
    ['corbetta', 'ADD WA', 'subscribe', 'it'],
    ['corbetta', 'add wa', 'subscribe', 'it'],
    ['corbetta', 'Del  Wa.', 'unsubscribe', 'it'],
    ['calcinato', 'CANCELLAZIONE', 'unsubscribe', 'it'],
    ['gressan', 'mi iscrivo', 'subscribe', 'it'],
    ['gressan', 'Mi cancello!', 'unsubscribe', 'it'],
    ['gressan', "JE M'INSCRIS", 'subscribe', 'fr'],
    ['gressan', 'je me desinscris', 'unsubscribe', 'fr'],
    ['gressan', 'Je me DÉSINSCRIS', 'unsubscribe', 'fr'],
    ['ancona', 'Iscrivimi', 'subscribe', 'it'],
    ['ancona', 'cancellami 🙂', 'unsubscribe', 'it'],
    ['magenta', 'Sì', 'confirm', 'it'],
    ['gressan', 'oui', 'confirm', 'fr'],
  ])('%s: %j is %s (%s)', (tenant, text, kind, language) => {
    expect(parse(tenant, text)).toMatchObject({ kind, language })
  })

  it('never finds a keyword inside an ordinary sentence', () => {
    expect(parse('ancona', 'vorrei sapere come iscrivimi al nido')).toEqual({ kind: 'message' })
    expect(parse('gressan', 'mi iscrivo alla gara di domenica, dove?')).toEqual({ kind: 'message' })
    expect(parse('ancona', 'Cancellami la multa per favore')).toEqual({ kind: 'message' })
    expect(parse('corbetta', 'stop ai lavori in via Roma?')).toEqual({ kind: 'message' })
    expect(parse('ancona', 'Temi che piova domani?')).toEqual({ kind: 'message' })
  })

  it('reads the standard gateway opt-out words, alone, as unsubscribe', () => {
    for (const word of ['STOP', 'stop', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'END', 'quit', 'Annulla', 'basta!', 'FINE', 'REVOKE', 'optout']) {
      expect(parse('corbetta', word, { channel: 'sms' })).toEqual({ kind: 'unsubscribe', language: undefined, source: 'gateway-word' })
    }
    expect(parse('corbetta', 'fine settimana')).toEqual({ kind: 'message' })
  })

  it('follows the gateway when it says it opted the citizen out, whatever word they used', () => {
    expect(parse('corbetta', 'Arrivederci', { channel: 'sms', gatewayOptOut: 'STOP' })).toEqual({ kind: 'unsubscribe', language: undefined, source: 'gateway-word' })
    expect(parse('corbetta', 'Arrivederci', { channel: 'sms' })).toEqual({ kind: 'message' })
    expect(parse('corbetta', 'Aiuto', { channel: 'sms', gatewayOptOut: 'HELP' })).toEqual({ kind: 'message' })
  })

  it('reads the name after ISCRIZIONE for Calcinato, as written', () => {
    expect(parse('calcinato', 'ISCRIZIONE Mario Rossi')).toEqual({ kind: 'subscribe', language: 'it', name: 'Mario Rossi' })
    expect(parse('calcinato', "iscrizione:  Maria  D'Amico")).toEqual({ kind: 'subscribe', language: 'it', name: "Maria D'Amico" })
    expect(parse('calcinato', 'ISCRIZIONE')).toEqual({ kind: 'subscribe-name-missing', language: 'it' })
    expect(parse('calcinato', 'ISCRIZIONE Mario')).toEqual({ kind: 'subscribe-name-missing', language: 'it' })
    expect(parse('calcinato', 'ISCRIZIONE Mario Rossi via Roma 3')).toEqual({ kind: 'subscribe-name-missing', language: 'it' })
  })

  it('reads topic choices by names, aliases and in French', () => {
    expect(parse('gressan', 'TEMI EVENTI INFO')).toEqual({ kind: 'topics', language: 'it', topics: ['eventi', 'info-comune'] })
    expect(parse('gressan', 'temi info comune e eventi')).toEqual({ kind: 'topics', language: 'it', topics: ['info-comune', 'eventi'] })
    expect(parse('gressan', 'Thèmes événements')).toEqual({ kind: 'topics', language: 'fr', topics: ['eventi'] })
    expect(parse('gressan', 'TEMI EMERGENZE')).toEqual({ kind: 'topics', language: 'it', topics: ['emergenze'] })
    expect(parse('gressan', 'TEMI TUTTI')).toEqual({ kind: 'topics', language: 'it', topics: ['info-comune', 'eventi'] })
    expect(parse('gressan', 'TEMI EVENTI SPORT')).toEqual({ kind: 'topics-unknown', language: 'it', unknown: ['SPORT'] })
    expect(parse('gressan', 'TEMI')).toEqual({ kind: 'topics-unknown', language: 'it', unknown: [] })
  })

  it('reads a WhatsApp list reply id as a topic choice', () => {
    const interactive = { kind: 'list' as const, id: 'topics:eventi,info-comune', title: 'Eventi e info' }
    expect(parse('ancona', '', { type: 'interactive', interactive })).toEqual({ kind: 'topics', language: undefined, topics: ['eventi', 'info-comune'] })
    const bad = { kind: 'list' as const, id: 'topics:sport', title: 'Sport' }
    expect(parse('ancona', '', { type: 'interactive', interactive: bad })).toEqual({ kind: 'topics-unknown', language: undefined, unknown: ['sport'] })
  })

  it('accepts every listed keyword of a tenant, not another tenant\'s', () => {
    expect(parse('magenta', 'esci')).toMatchObject({ kind: 'unsubscribe', source: 'keyword' })
    expect(parse('gressan', 'je me désabonne')).toMatchObject({ kind: 'unsubscribe', language: 'fr' })
    expect(parse('magenta', 'MI ISCRIVO')).toEqual({ kind: 'message' })
    expect(parse('ancona', 'ADD WA')).toEqual({ kind: 'message' })
  })

  it('ignores reactions and passes forms through', () => {
    expect(parse('ancona', '', { type: 'reaction', reaction: { messageId: 'wamid.0', emoji: '👍' } })).toEqual({ kind: 'ignore' })
    expect(parse('magenta', '', { type: 'form', channel: 'web', form: { kind: 'signup' } })).toEqual({ kind: 'form', form: { kind: 'signup' } })
    expect(parse('magenta', '', { type: 'image', text: undefined })).toEqual({ kind: 'message' })
  })
})
