// The CAP import against CAP 1.2 as the world writes it: every document of
// ../shared/conformance/cap (beside the repository; see its README for the source of each and
// what the OASIS standard says of it) read from its bytes, with the outcome the standard requires:
// accepted with the fields below, or refused with the reason below. For the accepted ones, the
// draft an Italian municipality would get, at the moment the alert was sent.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Tenant } from '@banditore/contracts'
import { describe, expect, it } from 'vitest'
import { capToDraft, type CapDraft } from '../emergency/cap-to-draft.js'
import { parseCapAlert, type CapAlert } from './index.js'

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../..')
const CORPUS = resolve(REPO_ROOT, '../shared/conformance/cap')
const DOCS = join(CORPUS, 'docs')

const italian = { id: 'borgo', name: 'Comune di Borgo', languages: ['it'] } as unknown as Tenant
const italianGerman = { id: 'bolzano', name: 'Comune di Bolzano', languages: ['it', 'de'] } as unknown as Tenant

type Draft = CapDraft | { reason: string }

interface Accepted {
  identifier: string
  sender: string
  status?: CapAlert['status']
  msgType: CapAlert['msgType']
  scope?: CapAlert['scope']
  /** The languages of the <info> blocks, in order ('' when there is none). */
  languages: string
  references?: number
  /** Further fields the standard makes this document about. */
  check?: (alert: CapAlert) => void
  /** What an Italian tenant gets, at the moment the alert was sent. */
  draft?: (draft: Draft, alert: CapAlert) => void
}

/** The usual outcome for a valid alert in a language that is not the tenant's: a draft to translate. */
const toTranslate = (from: string) => (draft: Draft) => {
  expect(draft).toMatchObject({ cap: { translation: { from, into: ['it'] } }, message: { headline: {}, description: {} } })
}

const ACCEPT: Record<string, Accepted> = {
  'valid/01-oasis-a1-homeland-security.xml': {
    identifier: '43b080713727', sender: 'hsas@dhs.gov', msgType: 'Alert', languages: 'en-US',
    check: (a) => expect(a.infos[0]).toMatchObject({ event: 'Homeland Security Advisory System Update', severity: 'Severe', category: ['Security'] }),
    draft: toTranslate('en-US'),
  },
  'valid/02-oasis-a2-thunderstorm-polygon.xml': {
    identifier: 'KSTO1055887203', sender: 'KSTO@NWS.NOAA.GOV', msgType: 'Alert', languages: 'en-US',
    check: (a) => {
      expect(a.infos[0]).toMatchObject({ expires: '2003-06-17T16:00:00-07:00', severity: 'Severe' })
      expect(a.infos[0]?.areas[0]?.polygons).toHaveLength(1)
      expect(a.infos[0]?.areas[0]?.geocodes.map((g) => g.valueName)).toEqual(['SAME', 'SAME', 'SAME'])
    },
    draft: (d) => expect(d).toMatchObject({ cap: { expires: '2003-06-17T16:00:00-07:00', translation: { from: 'en-US' } } }),
  },
  'valid/03-oasis-a3-earthquake-update-circle.xml': {
    identifier: 'TRI13970876.2', sender: 'trinet@caltech.edu', msgType: 'Update', languages: 'en-US', references: 1,
    check: (a) => {
      expect(a.references).toEqual([{ sender: 'trinet@caltech.edu', identifier: 'TRI13970876.1', sent: '2003-06-11T20:30:00-07:00' }])
      expect(a.infos[0]?.areas[0]?.circles).toEqual(['32.9525,-115.5527 0'])
    },
    draft: (d) => expect(d).toMatchObject({ kind: 'update' }),
  },
  'valid/04-oasis-a4-amber-en-es.xml': {
    identifier: 'KAR0-0306112239-SW', sender: 'KARO@CLETS.DOJ.CA.GOV', msgType: 'Alert', languages: 'en-US,es-US',
    check: (a) => expect(a.infos.every((i) => i.areas[0]?.polygons.length === 0 && i.areas[0]?.geocodes.length === 1)).toBe(true),
    draft: toTranslate('en-US'),
  },
  'valid/05-nws-ipaws-multiple-polygons.xml': {
    identifier: 'NWS-IDP-PROD-4412298-3677414', sender: 'w-nws.webmaster@noaa.gov', msgType: 'Update', languages: 'en-US', references: 8,
    check: (a) => {
      expect(a.infos[0]?.description).toHaveLength(4991)
      expect(a.infos[0]?.areas.flatMap((area) => area.polygons)).toHaveLength(2)
    },
    // The whole 4,991 characters, not cut.
    draft: (d) => expect(d).toMatchObject({ cap: { translation: { description: expect.stringMatching(/^[\s\S]{4991}$/) } } }),
  },
  'valid/06-ipaws-cancel-no-info-ds-signature.xml': {
    identifier: 'AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8', sender: 'bbrundage@dps.state.nv.us', msgType: 'Cancel', languages: '', references: 1,
    draft: (d) =>
      expect(d).toEqual({
        kind: 'cancel',
        allClearByReferences: true,
        message: {
          severity: 'Unknown',
          urgency: 'Unknown',
          headline: { it: 'Cessato allarme' },
          description: { it: "L'ente che aveva emesso l'allerta (bbrundage@dps.state.nv.us) l'ha revocata." },
        },
        references: [{ sender: 'bbrundage@dps.state.nv.us', identifier: 'AS-NV-e18921c7-1b35-4a81-9705-42d25c265ddd', sent: '2019-04-18T12:02:32-06:00' }],
        cap: { identifier: 'AS-NV-58d33e3a-1f9a-4909-9d59-34e90b33b3e8', sender: 'bbrundage@dps.state.nv.us', sent: '2019-04-19T11:46:20-06:00', status: 'Actual' },
      }),
  },
  'valid/07-athoc-ipaws-cancel-no-info-signature.xml': {
    identifier: '1017033100951096-517189320160225203219800_Cancel', sender: 'AtHoc', msgType: 'Cancel', languages: '', references: 1,
    draft: (d) =>
      expect(d).toMatchObject({
        kind: 'cancel',
        allClearByReferences: true,
        references: [{ sender: 'AtHoc', identifier: '1017033100951096-517189320160225203219800' }],
      }),
  },
  'valid/08-ipaws-alert-polygon-resource-signed.xml': {
    identifier: '402013233923688', sender: '402013233923688', msgType: 'Alert', languages: 'en-US',
    check: (a) => expect(a.infos[0]).toMatchObject({ event: 'Local Area Emergency', severity: 'Extreme', expires: '2019-12-13T14:24:50-08:00' }),
  },
  'valid/09-ipaws-alert-103k-derefuri-signed.xml': {
    identifier: '309104501346800', sender: '309104501346800', msgType: 'Alert', languages: 'en-US',
    check: (a) => expect(a.infos[0]?.event).toBe('Administrative Message/Follow up Statement'),
  },
  'valid/10-ipaws-alert-459k-derefuri-signed.xml': {
    identifier: '482277582702553', sender: '482277582702553', msgType: 'Alert', languages: 'en-US',
    check: (a) => expect(a.infos[0]).toMatchObject({ event: 'Civil Emergency Message', severity: 'Extreme' }),
  },
  'valid/11-wcatwc-tsunami-cancellation-update-3refs.xml': {
    identifier: 'PAAQ-4-mg5a94', sender: 'wcatwc@noaa.gov', msgType: 'Update', languages: 'en-US', references: 3,
    check: (a) => expect(a.infos[0]?.headline).toHaveLength(195),
    // A 195-character headline is shortened for the title and kept whole at the top of the text.
    draft: (d, a) => {
      const translation = (d as CapDraft).cap.translation
      expect(translation?.headline).toHaveLength(160)
      expect(translation?.description.startsWith(a.infos[0]?.headline as string)).toBe(true)
    },
  },
  'valid/12-wcatwc-tsunami-warning-update.xml': {
    identifier: 'PAAQ-2-lqw6d6', sender: 'http://newwcatwc.arh.noaa.gov/tsuPortal/', msgType: 'Update', languages: 'en-US', references: 1,
    check: (a) => expect(a.infos[0]).toMatchObject({ event: 'Tsunami Warning', severity: 'Extreme' }),
  },
  'valid/13-eccc-update-2refs-en-fr.xml': {
    identifier: '2.49.0.1.124.6bddbc91.2012', sender: 'cap@ec.gc.ca', msgType: 'Update', languages: 'en-CA,fr-CA', references: 2,
    // Empty <restriction/>, <addresses/>, <note/>, <incidents/> are allowed and read as absent.
    check: (a) => expect(a.note).toBeUndefined(),
  },
  'valid/14-eccc-naad-signed-9refs-en-fr.xml': {
    identifier: '2.49.0.1.124.f2c83f5f.2013', sender: 'cap-pac@ec.gc.ca', msgType: 'Update', languages: 'en-CA,fr-CA', references: 9,
  },
  'valid/15-naad-signed-en-fr.xml': {
    identifier: 'urn:oid:2.49.0.1.124.3026064006.2019', sender: 'cap-pac@canada.ca', msgType: 'Alert', languages: 'en-CA,fr-CA',
  },
  'valid/16-pelmorex-naads-wind-fr-en-signed.xml': {
    identifier: 'urn:oid:2.49.0.1.124.3936999913.2019', sender: 'cap-pac@canada.ca', msgType: 'Update', languages: 'fr-CA,en-CA', references: 3,
    check: (a) => expect(a.infos[0]?.description).toHaveLength(1348),
    // English is offered for translation when there is some, whole.
    draft: (d) => expect(d).toMatchObject({ cap: { translation: { from: 'en-CA' } } }),
  },
  'valid/17-nsw-rfs-cap-prefix-two-en-infos.xml': {
    identifier: 'tag:www.rfs.nsw.gov.au2011-10-06:40184', sender: 'webmaster@rfs.nsw.gov.au', msgType: 'Alert', languages: 'en-AU,en-AU',
    // The empty <value/> of a parameter is valid (xs:string) and kept.
    check: (a) => expect(a.infos[0]?.parameters).toContainEqual({ valueName: 'AllocatedResources', value: '' }),
  },
  'valid/18-bom-australia-cap-prefix.xml': {
    identifier: 'AusBoM-IDN21033-2019-01-16T03:15:58+00:00', sender: 'CAP.Message@bom.gov.au', msgType: 'Alert', languages: 'en-AU',
    check: (a) => expect(a.infos[0]?.headline).toHaveLength(180),
  },
  'valid/19-usgs-earthquake-iso-8859-1-signed.xml': {
    identifier: 'USGS-earthquakes-usB000D5T4.3947362.7.20121014T225304.360Z.0',
    sender: 'http://earthquake.usgs.gov/research/monitoring/anss/neic/',
    msgType: 'Alert',
    languages: 'en-US',
    // Decoded as its XML declaration says (ISO-8859-1), not garbled as UTF-8.
    check: (a) => expect(a.infos[0]?.headline).toBe('EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT'),
  },
  'valid/20-iceland-met-is-en.xml': {
    identifier: 'is-IMO-2a4c2db8-07fd-4a0f-b372-9667280d46d1', sender: 'IMO-Icelandic_Met_Office', msgType: 'Alert', languages: 'is-IS,en-US',
    check: (a) => expect(a.infos[0]?.event).toBe('Veðurviðvörun: Vindur'),
    draft: toTranslate('en-US'),
  },
  'valid/21-mexico-smn-es-419-update.xml': {
    identifier: 'avisossmn-ciclontropical-4063', sender: 'smn.cna.gob.mx', msgType: 'Update', languages: 'es-419', references: 1,
    draft: toTranslate('es-419'),
  },
  'valid/22-pagasa-status-test-signed.xml': {
    identifier: '103ff55e-b538-49a2-a94a-64470ddea2cc', sender: 'PAGASA-DOST', status: 'Test', msgType: 'Alert', languages: 'en-US',
    // CAP 3.2.1: Test "Technical testing only, all recipients disregard".
    draft: (d) => expect(d).toEqual({ reason: expect.stringMatching(/^l'avviso CAP è un messaggio di prova tecnica \(<status> Test\)/) }),
  },
  'valid/23-taiwan-wra-bom-geocode-only.xml': {
    identifier: 'WRA_ReservoirWarn_201405142010', sender: 'ddmt01@wra.gov.tw', msgType: 'Alert', languages: 'zh-tw',
    check: (a) => expect(a.infos[0]?.event).toBe('水庫洩洪'),
    draft: toTranslate('zh-tw'),
  },
  'valid/24-dwd-windboeen-geocodes-altitude.xml': {
    identifier: '2.49.0.1.276.DWD.PVW.1446300252136.1', sender: 'CAP@dwd.de', msgType: 'Alert', languages: 'de-DE',
    check: (a) => {
      expect(a.infos[0]?.areas).toHaveLength(9)
      expect(a.infos[0]?.instruction).toBeUndefined()
    },
  },
  'valid/25-dwd-pvw-49-many-geocodes.xml': {
    identifier: '2.49.0.1.276.DWD.PVW.1446444767375.49', sender: 'CAP@dwd.de', msgType: 'Alert', languages: 'de-DE',
    check: (a) => expect(a.infos[0]?.areas.flatMap((area) => area.geocodes)).toHaveLength(138),
  },
  'valid/26-meteoalarm-at-en-de-emma-id.xml': {
    identifier: '2.0.0.1.AT.1483086568.111AT005', sender: 'n.spanring@backbone.co.at', msgType: 'Alert', languages: 'en-GB,de-DE',
    check: (a) => expect(a.infos[0]?.parameters.map((p) => p.valueName)).toEqual(expect.arrayContaining(['awareness_level', 'awareness_type'])),
    draft: toTranslate('en-GB'),
  },
  'valid/27-meteoalarm-it-am-lombardia-en.xml': {
    identifier: '2.49.0.0.380.3.IT.251119104948.038', sender: 'aerocnmca.1sv.prv1@aeronautica.difesa.it', msgType: 'Alert', languages: 'en-GB',
    // An Italian tenant receiving the en-GB-only MeteoAlarm alert: a draft with the text to translate.
    draft: (d) =>
      expect(d).toMatchObject({
        kind: 'alert',
        message: { severity: 'Moderate', urgency: 'Future', headline: {}, description: {}, area: 'Lombardia' },
        cap: {
          expires: '2025-11-21T00:59:00+01:00',
          translation: { from: 'en-GB', into: ['it'], headline: 'Yellow Snow-ice Warning for Italy - Lombardia', description: 'Moderate intensity weather phenomena expected' },
        },
      }),
  },
  'valid/29-macao-smg-update-zh-pt-en.xml': {
    identifier: 'SMG-Weather_MS_2025_006_03', sender: 'meteo@smg.gov.mo', msgType: 'Update', languages: 'zh-mo,pt-PT,en-US', references: 1,
    draft: toTranslate('en-US'),
  },
  'valid/30-met-eireann-small-craft.xml': {
    identifier: '2.49.0.1.372.0.250413231648.N_Norm002_SmallCraft', sender: 'forecasts@met.ie', msgType: 'Alert', languages: 'en-GB',
  },
  'valid/32-gdacs-no-language.xml': {
    identifier: 'GDACS_EQ_1470644_1625617', sender: 'info-gdacs@gdacs.org', msgType: 'Alert', languages: 'en-US',
    // No <language>: en-US, as the standard defaults it; empty parameter values kept.
    check: (a) => expect(a.infos[0]?.parameters.filter((p) => p.value === '').map((p) => p.valueName)).toEqual(['glide', 'country', 'eventname', 'vulnerability', 'iso3']),
  },
  'derived/D05-cdata-description.xml': {
    identifier: 'KSTO1055887203', sender: 'KSTO@NWS.NOAA.GOV', msgType: 'Alert', languages: 'en-US',
    check: (a) => expect(a.infos[0]?.description).toMatch(/[<][\s\S]*&|&[\s\S]*</),
  },
  'derived/D06-exercise-restricted.xml': {
    identifier: 'KSTO1055887203', sender: 'KSTO@NWS.NOAA.GOV', status: 'Exercise', scope: 'Restricted', msgType: 'Alert', languages: 'en-US',
    draft: (d) => expect(d).toEqual({ reason: expect.stringMatching(/^l'avviso CAP è un'esercitazione \(<status> Exercise\)/) }),
  },
  'derived/D07-two-en-infos-different-hazards.xml': {
    identifier: 'KSTO1055887203', sender: 'KSTO@NWS.NOAA.GOV', msgType: 'Alert', languages: 'en-US,en-US',
    // One sequence: the first block's measures and headline; the second hazard added, not overriding.
    draft: (d) => {
      expect(d).toMatchObject({ message: { severity: 'Severe', urgency: 'Immediate' }, cap: { expires: '2003-06-17T18:00:00-07:00' } })
      const translation = (d as CapDraft).cap.translation
      expect(translation?.headline).toBe('SEVERE THUNDERSTORM WARNING')
      expect(translation?.description).toMatch(/^ ?AT 254 PM PDT[\s\S]*\n\nFLASH FLOOD WATCH\nHEAVY RAIN FROM THE STORM/)
      expect(translation?.instruction).toBe('TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.\n\nFLASH FLOOD WATCH\nMONITOR LOCAL MEDIA FOR FURTHER INFORMATION.')
    },
  },
  'derived/D08-meteoalarm-en-it-de.xml': {
    identifier: '2.49.0.0.380.3.IT.251119104948.038', sender: 'aerocnmca.1sv.prv1@aeronautica.difesa.it', msgType: 'Alert', languages: 'en-GB,it-IT,de-DE',
    draft: (d) =>
      expect(d).toEqual({
        kind: 'alert',
        message: {
          severity: 'Moderate',
          urgency: 'Future',
          certainty: 'Likely',
          headline: { it: 'Allerta gialla per neve e ghiaccio - Lombardia' },
          description: { it: 'Previsti fenomeni meteorologici di moderata intensità' },
          area: 'Lombardia',
          ...((d as CapDraft).message.link ? { link: (d as CapDraft).message.link } : {}),
          ...((d as CapDraft).message.instruction ? { instruction: (d as CapDraft).message.instruction } : {}),
        },
        references: [],
        cap: { identifier: '2.49.0.0.380.3.IT.251119104948.038', sender: 'aerocnmca.1sv.prv1@aeronautica.difesa.it', sent: '2025-11-19T10:49:49+01:00', status: 'Actual', expires: '2025-11-21T00:59:00+01:00' },
      }),
  },
}

/** The reason each invalid document is refused for, as the standard (or XML security) says. */
const REJECT: Record<string, RegExp> = {
  'invalid/I01-missing-scope.xml': /^CAP non valido: manca <scope>$/,
  'invalid/I02-wrong-namespace.xml': /^CAP non valido: namespace 'urn:oasis:names:tc:emergency:alerts:1\.2' non supportato: serve urn:oasis:names:tc:emergency:cap:1\.2$/,
  'invalid/I03-update-empty-references.xml': /^CAP non valido: un messaggio Update deve indicare in <references> il messaggio a cui si riferisce$/,
  'invalid/I04-smhi-element-order.xml': /^CAP non valido: (elemento sconosciuto <(Type|Polygons?)>|<senderName> in <info> n\. 1 non può seguire <headline>)/,
  'invalid/I05-smhi-alerts-wrapper-root.xml': /^CAP non valido: l'elemento radice deve essere <alert>, non <alerts>$/,
  'invalid/I06-private-without-addresses-bad-circle.xml': /^CAP non valido: con <scope> Private serve <addresses>$/,
  'invalid/I07-missing-sender.xml': /^CAP non valido: manca <sender>$/,
  'invalid/I08-empty-alert.xml': /^CAP non valido: manca <identifier>$/,
  'invalid/I09-area-missing-areadesc.xml': /^CAP non valido: manca <areaDesc> in <area> n\. 1 di <info> n\. 1$/,
  'invalid/I10-template-missing-identifier-event.xml': /^CAP non valido: manca <identifier>$/,
  'invalid/I11-xxe-external-parameter-entity.xml': /^CAP non valido: DOCTYPE e dichiarazioni di entità non sono ammessi$/,
  'invalid/I12-no-namespace.xml': /^CAP non valido: <alert> senza namespace: serve urn:oasis:names:tc:emergency:cap:1\.2$/,
  'invalid/I13-info-lang-attribute.xml': /^CAP non valido: attributo lang non ammesso in <info> n\. 1: lo schema CAP 1\.2 non prevede attributi/,
  'invalid/I14-israel-hfc-empty-polygon.xml': /^CAP non valido: <polygon> è vuoto in <area> n\. 1 di <info> n\. 1$/,
  'invalid/I15-thai-tmd-lon-lat-polygons.xml': /^CAP non valido: <polygon> n\. 1 in <area> n\. 1 di <info> n\. 1 contiene '99\.968294,9\.311178': la latitudine 99\.968294 è oltre 90 gradi/,
  'derived/D01-sent-zulu.xml': /^CAP non valido: <sent> '2003-06-17T21:57:00Z' non è una data-ora nel formato AAAA-MM-GGThh:mm:ss±hh:mm$/,
  'derived/D02-references-missing-sent.xml': /^CAP non valido: <references> deve elencare terne mittente,identificativo,data-ora separate da spazi, trovato 'trinet@caltech\.edu,TRI13970876\.1'$/,
  'derived/D03-certainty-very-likely.xml': /^CAP non valido: <certainty> ha valore 'Very Likely' in <info> n\. 1; valori ammessi: Observed, Likely, Possible, Unlikely, Unknown$/,
  'derived/D04-polygon-not-closed.xml': /^CAP non valido: <polygon> n\. 1 in <area> n\. 1 di <info> n\. 1 non si chiude: l'ultima coppia '38\.62,-119\.89' deve ripetere la prima '38\.47,-120\.14'/,
}

function corpusFiles(): string[] {
  return ['valid', 'invalid', 'derived'].flatMap((dir) => readdirSync(join(DOCS, dir)).filter((f) => f.endsWith('.xml')).map((f) => `${dir}/${f}`)).sort()
}

describe('CAP 1.2 conformance corpus (../shared/conformance/cap)', () => {
  it('is there, beside the repository, with the 53 documents of its README', () => {
    if (!existsSync(DOCS)) {
      throw new Error(`the CAP conformance corpus is missing: expected ${DOCS} (../shared/conformance/cap beside the repository root ${REPO_ROOT})`)
    }
    expect(corpusFiles()).toEqual([...Object.keys(ACCEPT), ...Object.keys(REJECT)].sort())
    expect(corpusFiles()).toHaveLength(53)
  })

  describe.each(Object.entries(ACCEPT))('accepts %s', (file, expected) => {
    it('with the fields the standard gives it, and the draft an Italian tenant gets', () => {
      const result = parseCapAlert(readFileSync(join(DOCS, file)))
      if (!result.ok) throw new Error(`${file} refused: ${result.reason}`)
      const alert = result.alert
      expect(alert).toMatchObject({
        identifier: expected.identifier,
        sender: expected.sender,
        status: expected.status ?? 'Actual',
        msgType: expected.msgType,
        scope: expected.scope ?? 'Public',
      })
      expect(alert.infos.map((info) => info.language).join(',')).toBe(expected.languages)
      expect(alert.references).toHaveLength(expected.references ?? 0)
      expected.check?.(alert)
      // At the moment it was sent, the alert has not expired yet.
      const draft = capToDraft(alert, italian, new Date(alert.sent))
      if (expected.draft) expected.draft(draft, alert)
      else if (alert.status === 'Actual' && alert.scope === 'Public') expect(draft).not.toHaveProperty('reason')
      // Never a citizen draft from a message that is not Actual and Public.
      if (alert.status !== 'Actual' || alert.scope !== 'Public') expect(draft).toHaveProperty('reason')
      // Long after, an alert or update that gives <expires> is refused as expired.
      const expires = alert.infos[0]?.expires
      if (expires && alert.status === 'Actual' && alert.scope === 'Public' && alert.infos.length === 1) {
        expect(capToDraft(alert, italian, new Date('2099-01-01T00:00:00+01:00'))).toEqual({
          reason: expect.stringMatching(new RegExp(`^l'avviso CAP è scaduto il .* \\(<expires> ${expires.replace(/[+.]/g, '\\$&')}\\)`)),
        })
      }
    })
  })

  describe.each(Object.entries(REJECT))('refuses %s', (file, reason) => {
    it('with the reason the standard gives', () => {
      const result = parseCapAlert(readFileSync(join(DOCS, file)))
      expect(result).toEqual({ ok: false, reason: expect.stringMatching(reason) })
    })
  })

  it('gives a bilingual Italian/German tenant its two languages of the MeteoAlarm document', () => {
    const result = parseCapAlert(readFileSync(join(DOCS, 'derived/D08-meteoalarm-en-it-de.xml')))
    if (!result.ok) throw new Error(result.reason)
    expect(capToDraft(result.alert, italianGerman, new Date(result.alert.sent))).toMatchObject({
      message: {
        headline: { it: 'Allerta gialla per neve e ghiaccio - Lombardia', de: 'Gelbe Warnung vor Schnee und Glätte - Lombardei' },
        description: { it: 'Previsti fenomeni meteorologici di moderata intensità', de: 'Wettererscheinungen mäßiger Intensität erwartet' },
      },
    })
  })

  it('decodes the ISO-8859-1 document by the HTTP charset too, and refuses it when the charset says UTF-8', () => {
    const bytes = readFileSync(join(DOCS, 'valid/19-usgs-earthquake-iso-8859-1-signed.xml'))
    const latin1 = parseCapAlert(bytes, { charset: 'iso-8859-1' })
    expect(latin1.ok && latin1.alert.infos[0]?.headline).toBe('EQ 4.6 Usulután, Usulután, El Salvador - PRELIMINARY REPORT')
    expect(parseCapAlert(bytes, { charset: 'utf-8' })).toEqual({
      ok: false,
      reason: "CAP non valido: il documento non è testo UTF-8 valido, la codifica indicata dal charset dell'intestazione Content-Type; la dichiarazione XML indica ISO-8859-1",
    })
  })
})
