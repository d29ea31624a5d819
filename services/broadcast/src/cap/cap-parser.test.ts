import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseCapAlert, type CapAlert } from './index.js'

const FIXTURES = new URL('./fixtures/', import.meta.url)

function fixture(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8')
}

function parsed(xml: string): CapAlert {
  const result = parseCapAlert(xml)
  if (!result.ok) throw new Error(`expected a valid alert, got: ${result.reason}`)
  return result.alert
}

function reasonFor(xml: string): string {
  const result = parseCapAlert(xml)
  if (result.ok) throw new Error(`expected a refusal, got alert ${result.alert.identifier}`)
  return result.reason
}

const LOMBARDY_SENDER = 'allertalom@regione.lombardia.it'

describe('parseCapAlert on valid alerts', () => {
  it('reads a Lombardy orange hydrogeological alert with every mapped field', () => {
    expect(parsed(fixture('valid/lombardia-allerta-arancione.xml'))).toEqual({
      identifier: 'IT-LOM-CFMR-2026-0412',
      sender: LOMBARDY_SENDER,
      sent: '2026-11-23T13:00:00+01:00',
      status: 'Actual',
      msgType: 'Alert',
      scope: 'Public',
      references: [],
      infos: [
        {
          language: 'it-IT',
          category: ['Met', 'Geo'],
          event: 'Rischio idrogeologico e idraulico',
          urgency: 'Expected',
          severity: 'Severe',
          certainty: 'Likely',
          headline: 'Allerta arancione per rischio idrogeologico e idraulico su Milano e pianura centrale',
          description:
            'Moderata criticità per rischio idrogeologico e idraulico: sono previste precipitazioni diffuse, ' +
            'localmente forti, con cumulate fino a 120 mm in 24 ore.\n' +
            'Possibili esondazioni di Seveso & Lambro nel nodo idraulico di Milano; frane superficiali nelle zone collinari.',
          instruction:
            'Evitate i sottopassi e le zone allagabili; non sostate lungo gli argini & i ponti; limitate gli spostamenti.',
          web: 'https://www.regione.lombardia.it/allerte?id=IT-LOM-CFMR-2026-0412&lang=it',
          effective: '2026-11-23T13:00:00+01:00',
          onset: '2026-11-23T18:00:00+01:00',
          expires: '2026-11-24T23:59:00+01:00',
          senderName: 'Regione Lombardia - Protezione Civile',
          parameters: [
            { valueName: 'awareness_level', value: '3; orange; Severe' },
            { valueName: 'awareness_type', value: '12; flooding' },
          ],
          areas: [
            {
              areaDesc: 'IM-09 Nodo idraulico di Milano',
              polygons: ['45.5650,9.0400 45.5650,9.3000 45.3900,9.3000 45.3900,9.0400 45.5650,9.0400'],
              circles: [],
              geocodes: [
                { valueName: 'ISTAT', value: '015146' },
                { valueName: 'ZONA_OMOGENEA', value: 'IM-09' },
              ],
            },
            {
              areaDesc: 'IM-10 Pianura centrale',
              polygons: [],
              circles: ['45.3100,9.5000 25'],
              geocodes: [{ valueName: 'ZONA_OMOGENEA', value: 'IM-10' }],
            },
          ],
        },
      ],
    })
  })

  it('links an update to the alert it follows', () => {
    const alert = parsed(fixture('valid/lombardia-allerta-aggiornamento.xml'))
    expect(alert.msgType).toBe('Update')
    expect(alert.note).toBe('Aggiornamento: innalzato il livello di allerta sul nodo idraulico di Milano.')
    expect(alert.references).toEqual([
      { sender: LOMBARDY_SENDER, identifier: 'IT-LOM-CFMR-2026-0412', sent: '2026-11-23T13:00:00+01:00' },
    ])
    expect(alert.infos[0]).toMatchObject({ urgency: 'Immediate', severity: 'Extreme', certainty: 'Observed' })
  })

  it('links the all-clear to both the alert and its update', () => {
    const alert = parsed(fixture('valid/lombardia-cessata-allerta.xml'))
    expect(alert.msgType).toBe('Cancel')
    expect(alert.references.map((reference) => reference.identifier)).toEqual([
      'IT-LOM-CFMR-2026-0412',
      'IT-LOM-CFMR-2026-0413',
    ])
    expect(alert.infos[0]?.headline).toBe('Cessata allerta per rischio idraulico a Milano')
  })

  it('keeps the Italian and French infos of a prefixed Aosta Valley alert in order', () => {
    const alert = parsed(fixture('valid/valle-aosta-bilingue.xml'))
    expect(alert.identifier).toBe('VDA-PC-2026-1123-01')
    expect(alert.infos.map((info) => info.language)).toEqual(['it-IT', 'fr-FR'])
    expect(alert.infos[1]).toMatchObject({
      event: 'Danger d\u2019avalanche',
      headline: 'Alerte avalanches : la route régionale de Pila est fermée',
      instruction: "N'empruntez pas la route fermée ; évitez le hors-piste.",
      areas: [{ areaDesc: 'Commune de Gressan', polygons: [], circles: [], geocodes: [{ valueName: 'ISTAT', value: '007033' }] }],
    })
    expect(alert.infos[0]?.areas[0]?.areaDesc).toBe('Comune di Gressan')
  })

  it('defaults the language to en-US and accepts a restricted exercise with its restriction', () => {
    const alert = parsed(fixture('valid/esercitazione-riservata.xml'))
    expect(alert).toMatchObject({ status: 'Exercise', scope: 'Restricted', sent: '2026-11-23T09:00:00-00:00' })
    expect(alert.infos).toEqual([
      {
        language: 'en-US',
        category: ['Safety'],
        event: 'Esercitazione rischio idraulico',
        urgency: 'Future',
        severity: 'Unknown',
        certainty: 'Unknown',
        parameters: [],
        areas: [],
      },
    ])
  })

  it('accepts a byte-order mark, CRLF line ends, character references and a default namespace on children', () => {
    const xml =
      '\uFEFF<?xml version="1.0"?>\r\n<c:alert xmlns:c="urn:oasis:names:tc:emergency:cap:1.2">\r\n' +
      '<identifier xmlns="urn:oasis:names:tc:emergency:cap:1.2">A-1</identifier>' +
      '<c:sender>pc@comune.gressan.ao.it</c:sender><c:sent>2026-11-23T14:00:00+01:00</c:sent>' +
      '<c:status>Test</c:status><c:msgType>Alert</c:msgType><c:scope>Private</c:scope>' +
      '<c:addresses>sindaco</c:addresses><c:note>Citt&#224; &amp; Comune&#x21;\r\nseconda riga</c:note></c:alert>'
    expect(parsed(xml)).toMatchObject({ identifier: 'A-1', scope: 'Private', note: 'Città & Comune!\nseconda riga' })
  })
})

const INVALID: Record<string, string> = {
  'area-senza-areadesc.xml': 'CAP non valido: manca <areaDesc> in <area> n. 1 di <info> n. 1',
  'billion-laughs.xml': 'CAP non valido: DOCTYPE e dichiarazioni di entità non sono ammessi',
  'category-non-ammessa.xml':
    "CAP non valido: <category> ha valore 'Meteo' in <info> n. 1; valori ammessi: " +
    'Geo, Met, Safety, Security, Rescue, Fire, Health, Env, Transport, Infra, CBRNE, Other',
  'doctype-xxe.xml': 'CAP non valido: DOCTYPE e dichiarazioni di entità non sono ammessi',
  'elemento-sconosciuto.xml': 'CAP non valido: elemento sconosciuto <severity> in <alert>',
  'entita-sconosciuta.xml': 'CAP non valido: entità sconosciuta &nbsp;',
  'figli-senza-prefisso.xml':
    'CAP non valido: <identifier> è fuori dal namespace urn:oasis:names:tc:emergency:cap:1.2',
  'geocode-senza-value.xml': 'CAP non valido: manca <value> in <geocode> n. 1 di <area> n. 1 di <info> n. 1',
  'identifier-con-spazi.xml': "CAP non valido: <identifier> non deve contenere spazi, virgole, < o &: 'IT LOM 0500'",
  'identifier-ripetuto.xml': 'CAP non valido: <identifier> compare più volte',
  'info-senza-category.xml': 'CAP non valido: manca <category> in <info> n. 1',
  'info-senza-event.xml': 'CAP non valido: manca <event> in <info> n. 2',
  'language-non-valida.xml':
    "CAP non valido: <language> 'italiano standard' in <info> n. 1 non è un codice lingua valido (es. it-IT)",
  'manca-identifier.xml': 'CAP non valido: manca <identifier>',
  'namespace-cap-1-1.xml':
    "CAP non valido: namespace 'urn:oasis:names:tc:emergency:cap:1.1' non supportato: " +
    'serve urn:oasis:names:tc:emergency:cap:1.2',
  'non-cap.xml': "CAP non valido: l'elemento radice deve essere <alert>, non <feed>",
  'polygon-aperto.xml':
    "CAP non valido: <polygon> n. 1 in <area> n. 1 di <info> n. 1 non si chiude: l'ultima coppia '45.66,9.60' deve ripetere la prima '45.70,9.60' " +
    "(CAP 3.2.4: almeno 4 coppie lat,lon WGS 84 separate da spazi, l'ultima uguale alla prima)",
  'private-senza-addresses.xml': 'CAP non valido: con <scope> Private serve <addresses>',
  'references-malformate.xml':
    'CAP non valido: <references> deve elencare terne mittente,identificativo,data-ora separate da spazi, ' +
    "trovato 'allertalom@regione.lombardia.it IT-LOM-CFMR-2026-0412 2026-11-23T13:00:00+01:00'",
  'restricted-senza-restriction.xml': 'CAP non valido: con <scope> Restricted serve <restriction>',
  'sent-con-zulu.xml':
    "CAP non valido: <sent> '2026-11-23T13:00:00Z' non è una data-ora nel formato AAAA-MM-GGThh:mm:ss±hh:mm",
  'sent-data-inesistente.xml':
    "CAP non valido: <sent> '2026-02-30T13:00:00+01:00' non è una data-ora nel formato AAAA-MM-GGThh:mm:ss±hh:mm",
  'senza-namespace.xml': 'CAP non valido: <alert> senza namespace: serve urn:oasis:names:tc:emergency:cap:1.2',
  'status-non-ammesso.xml':
    "CAP non valido: <status> ha valore 'Live'; valori ammessi: Actual, Exercise, System, Test, Draft",
  'update-senza-references.xml':
    'CAP non valido: un messaggio Update deve indicare in <references> il messaggio a cui si riferisce',
  'urgency-non-ammessa.xml':
    "CAP non valido: <urgency> ha valore 'Soon' in <info> n. 1; valori ammessi: Immediate, Expected, Future, Past, Unknown",
  'web-non-assoluto.xml': 'CAP non valido: <web> in <info> n. 1 deve essere un indirizzo assoluto, es. https://…',
  'xml-malformato.xml':
    "CAP non valido: XML malformato alla riga 16, colonna 43 (Expected closing tag 'headline' " +
    "(opened in line 16, col 5) instead of closing tag 'titolo'.)",
}

describe('parseCapAlert on invalid documents', () => {
  it('has an expected reason for every invalid fixture', () => {
    expect(readdirSync(new URL('invalid/', FIXTURES)).sort()).toEqual(Object.keys(INVALID).sort())
  })

  it.each(Object.entries(INVALID))('refuses %s', (file, reason) => {
    expect(reasonFor(fixture(`invalid/${file}`))).toBe(reason)
  })

  const base = fixture('valid/lombardia-allerta-aggiornamento.xml')

  it.each([
    ['an empty document', '', 'CAP non valido: documento vuoto'],
    ['whitespace only', ' \n\t', 'CAP non valido: documento vuoto'],
    ['a bare ampersand', base.replace('Niguarda e Isola', 'Niguarda & Isola'), "CAP non valido: XML malformato alla riga 23, colonna 62 (char '&' is not expected.)"],
    ['a bare ampersand in a namespace declaration', base.replace('<alert ', '<alert xmlns:x="urn:a&b" '), "CAP non valido: carattere '&' non valido: va scritto &amp;"],
    ['a control character', base.replace('Niguarda', 'Nig\u0001uarda'), 'CAP non valido: il documento contiene caratteri non ammessi in XML'],
    ['a reference to a forbidden character', base.replace('Niguarda', 'Nig&#0;uarda'), 'CAP non valido: riferimento a carattere non valido &#0;'],
    ['two root elements', `${base}\n<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>`, 'CAP non valido: il documento deve avere un solo elemento radice, ne ha 2'],
    ['an undeclared prefix', base.replace('<headline>', '<x:headline>').replace('</headline>', '</x:headline>'), "CAP non valido: il prefisso 'x' di <x:headline> non è dichiarato"],
    ['text among elements', base.replace('<status>', 'testo libero <status>'), 'CAP non valido: testo inatteso in <alert>'],
    ['an element inside a text field', base.replace('</headline>', '<b>!</b></headline>'), 'CAP non valido: <headline> in <info> n. 1 deve contenere solo testo'],
    ['an Ack without references', base.replace('<msgType>Update', '<msgType>Ack').replace(/<references>.*<\/references>/, ''), 'CAP non valido: un messaggio Ack deve indicare in <references> il messaggio a cui si riferisce'],
    ['a reference with a bad date', base.replace('2026-11-23T13:00:00+01:00</references>', '2026-11-23 13:00</references>'), "CAP non valido: <references> deve elencare terne mittente,identificativo,data-ora separate da spazi, trovato 'allertalom@regione.lombardia.it,IT-LOM-CFMR-2026-0412,2026-11-23 13:00'"],
    ['an onset with fractional seconds', base.replace('<onset>2026-11-24T08:30:00+01:00', '<onset>2026-11-24T08:30:00.5+01:00'), "CAP non valido: <onset> in <info> n. 1 '2026-11-24T08:30:00.5+01:00' non è una data-ora nel formato AAAA-MM-GGThh:mm:ss±hh:mm"],
    ['a circle without radius', base.replace('</areaDesc>', '</areaDesc><circle>45.46,9.19</circle>'), "CAP non valido: <circle> in <area> n. 1 di <info> n. 1 deve essere nella forma 'lat,lon raggio_km'"],
    ['a polygon outside WGS 84', base.replace('</areaDesc>', '</areaDesc><polygon>95,9 45,9.2 45.1,9.2 95,9</polygon>'), "CAP non valido: <polygon> n. 1 in <area> n. 1 di <info> n. 1 contiene '95,9': la latitudine 95 è oltre 90 gradi (coordinate scritte lon,lat invece di lat,lon?) (CAP 3.2.4: almeno 4 coppie lat,lon WGS 84 separate da spazi, l'ultima uguale alla prima)"],
    ['a ceiling without altitude', base.replace('</area>', '<ceiling>3000</ceiling></area>'), 'CAP non valido: <ceiling> in <area> n. 1 di <info> n. 1 richiede <altitude>'],
    ['an empty required element', base.replace(/<event>.*<\/event>/, '<event> </event>'), 'CAP non valido: <event> è vuoto in <info> n. 1'],
    ['a responseType out of the list', base.replace('<responseType>Avoid', '<responseType>Run'), "CAP non valido: <responseType> ha valore 'Run' in <info> n. 1; valori ammessi: Shelter, Evacuate, Prepare, Execute, Avoid, Monitor, Assess, AllClear, None"],
    ['an element named like an object prototype', base.replace('<status>', '<__proto__/><status>'), 'CAP non valido: XML non leggibile'],
  ])('refuses %s', (_label, xml, reason) => {
    expect(reasonFor(xml)).toBe(reason)
  })

  it('refuses a document over 1 MiB before parsing it', () => {
    const padding = `<!--${'x'.repeat(1024 * 1024)}-->`
    expect(reasonFor(base.replace('<alert', `${padding}<alert`))).toBe(
      'CAP non valido: documento di 1026 KiB, oltre il limite di 1024 KiB',
    )
  })

  it('refuses nesting far deeper than CAP before it can exhaust the stack', () => {
    const deep = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}</alert>`
    expect(reasonFor(deep)).toBe('CAP non valido: XML non leggibile')
  })

  it('refuses a value that is not a string', () => {
    expect(reasonFor(42 as unknown as string)).toBe('CAP non valido: il documento deve essere testo XML')
  })
})

describe('parseCapAlert under fuzzing', () => {
  // A small deterministic generator (mulberry32) so that a failure reproduces from its seed.
  function generator(seed: number): () => number {
    let state = seed
    return () => {
      state = (state + 0x6d2b79f5) | 0
      let mixed = Math.imul(state ^ (state >>> 15), 1 | state)
      mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed
      return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296
    }
  }

  const seeds = readdirSync(new URL('valid/', FIXTURES)).map((file) => fixture(`valid/${file}`))
  const tokens = ['<', '>', '&', ';', '/', '"', "'", '=', ':', ' ', '\n', '<info>', '</info>', '<![CDATA[', ']]>', '&amp;', '&#', 'xmlns', '<!--', '-->', '<?', '?>', '\u0000', 'é']

  function mutate(text: string, random: () => number): string {
    let result = text
    const edits = 1 + Math.floor(random() * 4)
    for (let edit = 0; edit < edits; edit += 1) {
      const at = Math.floor(random() * result.length)
      const length = Math.floor(random() * 40)
      const choice = random()
      if (choice < 0.3) result = result.slice(0, at) + result.slice(at + length)
      else if (choice < 0.6) result = result.slice(0, at) + (tokens[Math.floor(random() * tokens.length)] as string) + result.slice(at)
      else if (choice < 0.8) result = result.slice(0, at) + result.slice(at, at + length) + result.slice(at)
      else result = result.slice(0, at) + String.fromCharCode(Math.floor(random() * 0x3000)) + result.slice(at + 1)
    }
    return result
  }

  function expectOutcome(xml: string | Uint8Array): void {
    const result = parseCapAlert(xml)
    if (result.ok) {
      expect(result.alert.identifier).not.toBe('')
      expect(['Alert', 'Update', 'Cancel', 'Ack', 'Error']).toContain(result.alert.msgType)
    } else {
      expect(result.reason).toMatch(/^CAP non valido: \S/)
    }
  }

  it('never throws on mutated fixtures', () => {
    const random = generator(20261123)
    let refused = 0
    for (let round = 0; round < 3000; round += 1) {
      const xml = mutate(seeds[round % seeds.length] as string, random)
      expectOutcome(xml)
      if (!parseCapAlert(xml).ok) refused += 1
    }
    // Most mutations break something; the check guards against a generator that mutates nothing.
    expect(refused).toBeGreaterThan(1000)
  }, 60_000)

  it('never throws on random bytes', () => {
    const random = generator(8)
    for (let round = 0; round < 500; round += 1) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 2048) }, () => Math.floor(random() * 256)))
      expectOutcome(bytes.toString(round % 2 === 0 ? 'utf8' : 'latin1'))
      expectOutcome(`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${bytes.toString('latin1')}</alert>`)
      // As the route receives them: bytes, decoded by BOM, charset or declaration.
      expectOutcome(bytes)
      expectOutcome(Buffer.concat([Buffer.from('<?xml version="1.0" encoding="windows-1252"?>'), bytes]))
    }
  }, 60_000)
})

describe('parseCapAlert on CAP as issuers write it', () => {
  const base = fixture('valid/lombardia-allerta-arancione.xml')

  it('keeps an empty <value/> of a parameter and of a geocode, as the schema allows', () => {
    const xml = base
      .replace('<value>12; flooding</value>', '<value/>')
      .replace('<value>IM-10</value>', '<value></value>')
    const alert = parsed(xml)
    expect(alert.infos[0]?.parameters).toEqual([
      { valueName: 'awareness_level', value: '3; orange; Severe' },
      { valueName: 'awareness_type', value: '' },
    ])
    expect(alert.infos[0]?.areas[1]?.geocodes).toEqual([{ valueName: 'ZONA_OMOGENEA', value: '' }])
    // The element itself stays required.
    expect(reasonFor(base.replace('<value>12; flooding</value>', ''))).toBe('CAP non valido: manca <value> in <parameter> n. 2 di <info> n. 1')
  })

  it('decodes bytes as the XML declaration, the HTTP charset or the byte-order mark say', () => {
    const italian = base.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="ISO-8859-1"?>')
    expect(italian).toContain('encoding="ISO-8859-1"')
    const latin1 = Buffer.from(italian, 'latin1')
    const description = (result: ReturnType<typeof parseCapAlert>) => (result.ok ? result.alert.infos[0]?.description : result.reason)
    expect(description(parseCapAlert(latin1))).toContain('Moderata criticità')
    expect(description(parseCapAlert(latin1, { charset: 'ISO-8859-1' }))).toContain('Moderata criticità')
    // RFC 7303: the Content-Type charset wins over the declaration; bytes invalid in it refuse the document.
    expect(description(parseCapAlert(latin1, { charset: 'utf-8' }))).toBe(
      "CAP non valido: il documento non è testo UTF-8 valido, la codifica indicata dal charset dell'intestazione Content-Type; la dichiarazione XML indica ISO-8859-1",
    )
    expect(description(parseCapAlert(Buffer.from(base, 'utf8'), { charset: 'windows-1252' }))).toContain('Moderata criticitÃ')
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base.replace('encoding="UTF-8"', 'encoding="UTF-16"'), 'utf16le')])
    expect(description(parseCapAlert(utf16, { charset: 'iso-8859-1' }))).toContain('Moderata criticità')
    expect(parseCapAlert(Buffer.from(base), { charset: 'klingon' })).toEqual({
      ok: false,
      reason: `CAP non valido: codifica "klingon" (indicata dal charset dell'intestazione Content-Type) non supportata`,
    })
  })

  it('refuses XXE and entity declarations given as bytes too', () => {
    for (const name of ['doctype-xxe.xml', 'billion-laughs.xml']) {
      expect(parseCapAlert(readFileSync(new URL(`invalid/${name}`, FIXTURES)))).toEqual({
        ok: false,
        reason: 'CAP non valido: DOCTYPE e dichiarazioni di entità non sono ammessi',
      })
    }
  })

  it('refuses attributes on CAP elements and elements out of the schema order', () => {
    expect(reasonFor(base.replace('<info>', '<info lang="it">'))).toBe(
      'CAP non valido: attributo lang non ammesso in <info> n. 1: lo schema CAP 1.2 non prevede attributi sui suoi elementi',
    )
    expect(parsed(base.replace('<alert ', '<alert xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:oasis:names:tc:emergency:cap:1.2 cap.xsd" ')).identifier).toBe('IT-LOM-CFMR-2026-0412')
    const swapped = base.replace(/(<onset>[^<]*<\/onset>)(\s*)(<expires>[^<]*<\/expires>)/, '$3$2$1')
    expect(reasonFor(swapped)).toMatch(/^CAP non valido: <onset> in <info> n\. 1 non può seguire <expires>: lo schema CAP 1\.2 fissa l'ordine/)
  })

  it('accepts a polygon crossing the antimeridian (longitude past 180) but not a latitude past 90', () => {
    const crossing = base.replace(
      '45.5650,9.0400 45.5650,9.3000 45.3900,9.3000 45.3900,9.0400 45.5650,9.0400',
      '-21.3,179.9 -21.3,-180.005 -21.5,-180.005 -21.3,179.9',
    )
    expect(parsed(crossing).infos[0]?.areas[0]?.polygons).toEqual(['-21.3,179.9 -21.3,-180.005 -21.5,-180.005 -21.3,179.9'])
  })
})
