import { readFileSync } from 'node:fs'
import type { Tenant } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { parseCapAlert, type CapAlert } from '../cap/index.js'
import { capToDraft, type CapDraft } from './cap-to-draft.js'

const fixture = (name: string) => readFileSync(new URL(`../cap/fixtures/valid/${name}`, import.meta.url), 'utf8')
const tenant = { id: 'borgo', name: 'Comune di Borgo', languages: ['it'] } as unknown as Tenant
const before = new Date('2026-11-23T14:00:00+01:00')

function alertOf(xml: string): CapAlert {
  const result = parseCapAlert(xml)
  if (!result.ok) throw new Error(result.reason)
  return result.alert
}

function draftOf(xml: string, now = before): CapDraft {
  const draft = capToDraft(alertOf(xml), tenant, now)
  if ('reason' in draft) throw new Error(draft.reason)
  return draft
}

const orange = fixture('lombardia-allerta-arancione.xml')

describe('capToDraft', () => {
  it('keeps description and instruction whole, however long, and the expiry', () => {
    const long = 'Precipitazioni intense e persistenti. '.repeat(200).trim()
    const draft = draftOf(orange.replace(/<description>[\s\S]*?<\/description>/, `<description>${long}</description>`).replace(/<instruction>[\s\S]*?<\/instruction>/, `<instruction>${long}</instruction>`))
    expect(draft.message.description.it).toBe(long)
    expect(draft.message.instruction?.it).toBe(long)
    expect(draft.cap.expires).toBe('2026-11-24T23:59:00+01:00')
  })

  it('refuses an expired alert with the time in Rome', () => {
    expect(capToDraft(alertOf(orange), tenant, new Date('2026-11-25T00:00:00+01:00'))).toEqual({
      reason: "l'avviso CAP è scaduto il 24/11/26, 23:59 (<expires> 2026-11-24T23:59:00+01:00): un avviso scaduto non diventa una bozza",
    })
  })

  it.each([
    ['Test', /prova tecnica \(<status> Test\)/],
    ['Exercise', /esercitazione \(<status> Exercise\)/],
    ['System', /servizio della rete di allertamento \(<status> System\)/],
    ['Draft', /bozza non emessa \(<status> Draft\)/],
  ])('never makes a citizen draft of a %s message', (status, reason) => {
    expect(capToDraft(alertOf(orange.replace('<status>Actual</status>', `<status>${status}</status>`)), tenant, before)).toEqual({
      reason: expect.stringMatching(reason),
    })
  })

  it('makes the all-clear of a Cancel without <info> from its <references>', () => {
    const cancel = orange
      .replace('<msgType>Alert</msgType>', '<msgType>Cancel</msgType>')
      .replace(/<info>[\s\S]*<\/info>/, '')
      .replace(/\s*<incidents>[^<]*<\/incidents>/, '')
      .replace('</alert>', '<references>allertalom@regione.lombardia.it,IT-LOM-CFMR-2026-0411,2026-11-23T12:00:00+01:00</references></alert>')
    const draft = draftOf(cancel)
    expect(draft).toMatchObject({
      kind: 'cancel',
      allClearByReferences: true,
      message: { headline: { it: 'Cessato allarme' }, description: { it: expect.stringContaining('allertalom@regione.lombardia.it') } },
      references: [{ identifier: 'IT-LOM-CFMR-2026-0411' }],
    })
    // An Alert without <info> has nothing for citizens.
    expect(capToDraft(alertOf(orange.replace(/<info>[\s\S]*<\/info>/, '')), tenant, before)).toEqual({
      reason: "l'avviso CAP Alert non ha blocchi <info>: non c'è testo per i cittadini",
    })
  })

  it('reads two blocks of one language as one sequence: later ones expand, never override', () => {
    const info = /<info>[\s\S]*<\/info>/.exec(orange)?.[0] as string
    const second = info
      .replace('<severity>Severe</severity>', '<severity>Extreme</severity>')
      .replace(/<headline>[^<]*<\/headline>/, '<headline>Vento forte</headline>')
      .replace(/<description>[\s\S]*?<\/description>/, '<description>Raffiche fino a 90 km/h.</description>')
      .replace(/<instruction>[\s\S]*?<\/instruction>/, '<instruction>Fissate gli oggetti esposti.</instruction>')
    const draft = draftOf(orange.replace(info, `${info}\n${second}`))
    expect(draft.message.severity).toBe('Severe')
    expect(draft.message.headline.it).toBe('Allerta arancione per rischio idrogeologico e idraulico su Milano e pianura centrale')
    expect(draft.message.description.it).toMatch(/^Moderata criticità[\s\S]*collinari\.\n\nVento forte\nRaffiche fino a 90 km\/h\.$/)
    expect(draft.message.instruction?.it).toMatch(/^Evitate i sottopassi[\s\S]*spostamenti\.\n\nVento forte\nFissate gli oggetti esposti\.$/)
    // A repeated block (same texts) adds nothing.
    expect(draftOf(orange.replace(info, `${info}\n${info}`)).message).toEqual(draftOf(orange).message)
  })

  it('offers the text to translate when no block is in a language of the tenant', () => {
    const english = orange.replace('<language>it-IT</language>', '<language>en-GB</language>')
    const draft = draftOf(english)
    expect(draft.message.headline).toEqual({})
    expect(draft.message.description).toEqual({})
    expect(draft.cap.translation).toMatchObject({
      from: 'en-GB',
      into: ['it'],
      headline: 'Allerta arancione per rischio idrogeologico e idraulico su Milano e pianura centrale',
      description: expect.stringContaining('Seveso & Lambro'),
      instruction: expect.stringContaining('Evitate i sottopassi'),
    })
  })
})
