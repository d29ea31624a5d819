import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { CAP_NAMESPACE, parseCapAlert, type CapAlert } from './cap-parser.js'

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
const valid = (xml: string): CapAlert => {
  const result = parseCapAlert(xml)
  if (!result.ok) throw new Error(result.reason)
  return result.alert
}
const reasonOf = (xml: string) => {
  const result = parseCapAlert(xml)
  expect(result.ok).toBe(false)
  return result.ok ? '' : result.reason
}
const alertXml = (body: string, root = `<alert xmlns="${CAP_NAMESPACE}">`) => `<?xml version="1.0"?>${root}${body}</alert>`
const HEAD = '<identifier>A-1</identifier><sender>pc@example.it</sender><sent>2026-11-23T10:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>'
const INFO = '<info><category>Met</category><event>Piena</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty></info>'

describe('CAP 1.2 parsing', () => {
  it('reads a regional alert with every field the draft uses', () => {
    const alert = valid(fixture('lombardia-allerta-arancione.xml'))
    expect(alert).toMatchObject({
      identifier: 'IT-LOM-PC-2026-1123-0042',
      sender: 'protezionecivile@regione.lombardia.it',
      sent: '2026-11-23T13:30:00+01:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      references: [],
    })
    expect(alert.infos).toHaveLength(1)
    const [info] = alert.infos
    expect(info).toMatchObject({
      language: 'it-IT',
      category: ['Met', 'Geo'],
      urgency: 'Expected',
      severity: 'Severe',
      certainty: 'Likely',
      headline: 'Allerta ARANCIONE per rischio idrogeologico nella zona IM-11',
      web: 'https://www.protezionecivile.regione.lombardia.it/allerte',
      onset: '2026-11-23T18:00:00+01:00',
    })
    expect(info?.description).toContain("corsi d'acqua minori & allagamenti")
    expect(info?.areas[0]).toMatchObject({ areaDesc: expect.stringContaining('Corbetta'), geocodes: [{ valueName: 'ISTAT', value: '015085' }, { valueName: 'ISTAT', value: '015130' }] })
    expect(info?.areas[0]?.polygons).toHaveLength(1)
  })

  it('reads prefixed elements and the alert an update follows', () => {
    const alert = valid(fixture('lombardia-aggiornamento.xml'))
    expect(alert.msgType).toBe('Update')
    expect(alert.references).toEqual([{ sender: 'protezionecivile@regione.lombardia.it', identifier: 'IT-LOM-PC-2026-1123-0042', sent: '2026-11-23T13:30:00+01:00' }])
    expect(alert.infos[0]?.severity).toBe('Extreme')
  })

  it('reads an all-clear that follows several messages', () => {
    const alert = valid(fixture('lombardia-cessato-allarme.xml'))
    expect(alert.msgType).toBe('Cancel')
    expect(alert.references.map((r) => r.identifier)).toEqual(['IT-LOM-PC-2026-1123-0042', 'IT-LOM-PC-2026-1123-0043'])
  })

  it('keeps one info per language, in order', () => {
    const alert = valid(fixture('valle-aosta-bilingue.xml'))
    expect(alert.infos.map((i) => [i.language, i.headline])).toEqual([
      ['it-IT', 'Allerta arancione per valanghe'],
      ['fr-FR', 'Alerte orange avalanches'],
    ])
  })

  it('defaults the language to en-US as the standard says', () => {
    expect(valid(alertXml(HEAD + INFO)).infos[0]?.language).toBe('en-US')
  })

  it.each([
    ['not XML at all', 'ciao', /XML malformato|manca l'elemento <alert>/],
    ['malformed XML', alertXml(`${HEAD}<info>`), /XML malformato/],
    ['no namespace', alertXml(HEAD + INFO, '<alert>'), /spazio dei nomi urn:oasis:names:tc:emergency:cap:1\.2/],
    ['CAP 1.1', alertXml(HEAD + INFO, '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.1">'), /non a urn:oasis:names:tc:emergency:cap:1\.1/],
    ['missing identifier', alertXml(HEAD.replace('<identifier>A-1</identifier>', '') + INFO), /manca <identifier>/],
    ['bad status', alertXml(HEAD.replace('Actual', 'Real') + INFO), /<status> in <alert> vale "Real"/],
    ['UTC written as Z', alertXml(HEAD.replace('+01:00', 'Z') + INFO), /<sent> in <alert> non è una data CAP/],
    ['an update without references', alertXml(HEAD.replace('<msgType>Alert', '<msgType>Update') + INFO), /Update richiede <references>/],
    ['references not in triples', alertXml(`${HEAD.replace('<msgType>Alert', '<msgType>Cancel')}<references>pc@example.it,A-0</references>${INFO}`), /terne/],
    ['restricted without restriction', alertXml(HEAD.replace('Public', 'Restricted') + INFO), /richiede <restriction>/],
    ['private without addresses', alertXml(HEAD.replace('Public', 'Private') + INFO), /richiede <addresses>/],
    ['info without category', alertXml(HEAD + INFO.replace('<category>Met</category>', '')), /manca <category> in <info> n\. 1/],
    ['unknown category', alertXml(HEAD + INFO.replace('>Met<', '>Weather<')), /<category> in <info> n\. 1 vale "Weather"/],
    ['bad severity', alertXml(HEAD + INFO.replace('Severe', 'Serious')), /<severity>/],
    ['area without description', alertXml(HEAD + INFO.replace('</info>', '<area><polygon>1,1 2,2 3,3 1,1</polygon></area></info>')), /manca <areaDesc> in <area> n\. 1/],
    ['identifier with a space', alertXml(HEAD.replace('A-1', 'A 1') + INFO), /<identifier> non può contenere spazi/],
    ['a DOCTYPE', `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "y">]>${alertXml(HEAD + INFO).replace('<?xml version="1.0"?>', '')}`, /DOCTYPE/],
    ['too large', alertXml(HEAD + INFO.replace('<event>Piena</event>', `<event>${'x'.repeat(300 * 1024)}</event>`)), /supera 256 KiB/],
  ])('refuses %s, naming the reason', (_name, xml, reason) => {
    const why = reasonOf(xml)
    expect(why).toMatch(/^CAP non valido: /)
    expect(why).toMatch(reason)
  })

  it('never throws on mutated or random input', () => {
    const sources = ['lombardia-allerta-arancione.xml', 'lombardia-aggiornamento.xml', 'valle-aosta-bilingue.xml'].map(fixture)
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31)
    const alphabet = '<>/&;"\'=:! abcdefgxyz0123456789\n\u0000\u00e8'
    let refused = 0
    for (let i = 0; i < 600; i++) {
      const source = sources[i % sources.length] as string
      let mutated = source
      for (let m = 0; m < 1 + Math.floor(random() * 4); m++) {
        const at = Math.floor(random() * mutated.length)
        const kind = random()
        if (kind < 0.4) mutated = mutated.slice(0, at) + mutated.slice(at + 1 + Math.floor(random() * 20))
        else if (kind < 0.8) mutated = mutated.slice(0, at) + alphabet[Math.floor(random() * alphabet.length)] + mutated.slice(at)
        else mutated = mutated.slice(0, at)
      }
      const result = parseCapAlert(mutated)
      if (!result.ok) {
        refused++
        expect(result.reason).toMatch(/^CAP non valido: /)
      }
    }
    for (let i = 0; i < 200; i++) {
      const bytes = Array.from({ length: Math.floor(random() * 200) }, () => String.fromCharCode(Math.floor(random() * 256))).join('')
      expect(parseCapAlert(bytes).ok).toBe(false)
    }
    expect(refused).toBeGreaterThan(100)
  })
})
