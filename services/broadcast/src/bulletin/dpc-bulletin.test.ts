import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { BulletinFormatError, colourOf, findZone, italianDay, parseBulletinIndex, parseBulletinZones } from './dpc-bulletin.js'

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'))
const INDEX_URL = 'https://raw.githubusercontent.com/pcm-dpc/DPC-Bollettini-Criticita-Idrogeologica-Idraulica/master/files/20261207_1530.json'
const CORBETTA = { zone: 'Lomb-09', zoneName: 'Nodo Idraulico di Milano', municipality: 'Corbetta' }

describe('DPC criticality bulletin', () => {
  it('reads the index: its name, stamp and the files of today and tomorrow', () => {
    const index = parseBulletinIndex(fixture('20261207_1530.json'), INDEX_URL)
    expect(index.name).toBe('Bollettino del 07 dicembre 2026 ore 15:30')
    expect(index.bulletinId).toBe('20261207_1530')
    expect(index.days).toEqual([
      { which: 'today', day: '2026-12-07', url: expect.stringMatching(/files\/topojson\/20261207_1530_today\.json$/) },
      { which: 'tomorrow', day: '2026-12-08', url: expect.stringMatching(/files\/topojson\/20261207_1530_tomorrow\.json$/) },
    ])
  })

  it('reads the zones of a TopoJSON and of a GeoJSON alike, the highest criticality of each', () => {
    for (const name of ['topojson/20261207_1530_today.json', 'geojson/20261207_1530_today.json']) {
      const zones = parseBulletinZones(fixture(name))
      expect(zones).toHaveLength(5)
      const milano = findZone(zones, CORBETTA)
      expect(milano).toMatchObject({ name: 'Nodo Idraulico di Milano', colour: 'orange', criticality: 'Moderata per rischio idrogeologico / ALLERTA ARANCIONE' })
      expect(findZone(zones, { zone: 'Marc-2' })?.colour).toBe('green')
    }
    expect(findZone(parseBulletinZones(fixture('topojson/20261206_1530_today.json')), CORBETTA)?.colour).toBe('yellow')
    expect(findZone(parseBulletinZones(fixture('topojson/20261208_1530_today.json')), CORBETTA)?.colour).toBe('red')
  })

  it('finds a zone by its name, its code (zones never named) or the municipality', () => {
    const zones = parseBulletinZones(fixture('topojson/20261207_1530_today.json'))
    expect(findZone(zones, { zone: 'Lomb-11', municipality: 'Calcinato' })?.name).toBe('Alta Pianura Orientale')
    expect(findZone(zones, { zone: 'Lomb-09', zoneName: '  nodo idraulico  di milano ' })?.name).toBe('Nodo Idraulico di Milano')
    expect(findZone(zones, { zone: 'Vall-B' })).toBeUndefined()
  })

  it('names the colours as the bulletin writes them', () => {
    expect(colourOf('Assenza di fenomeni significativi prevedibili / NESSUNA ALLERTA')).toBe('green')
    expect(colourOf('Ordinaria per rischio temporali / ALLERTA GIALLA')).toBe('yellow')
    expect(colourOf('Moderata per rischio idraulico / ALLERTA ARANCIONE')).toBe('orange')
    expect(colourOf('Elevata per rischio idrogeologico / ALLERTA ROSSA')).toBe('red')
    expect(colourOf('qualcos’altro')).toBeUndefined()
    expect(italianDay('2026-12-07')).toBe('7/12/2026')
  })

  it('refuses what is not the published shape, saying why in Italian', () => {
    expect(() => parseBulletinIndex([], INDEX_URL)).toThrow(BulletinFormatError)
    expect(() => parseBulletinIndex({ name: 'x', today: { topo_json: 'oggi.json' } }, INDEX_URL)).toThrow(/AAAAMMGG_HHMM_today/)
    expect(() => parseBulletinIndex({ name: 'x' }, INDEX_URL)).toThrow(/né il file di oggi/)
    expect(() => parseBulletinZones({ type: 'Topology', objects: { zone: { geometries: [{ properties: { 'Nome zona': 'A', 'Per rischio idraulico': '?' } }] } } })).toThrow(/livello di allerta/)
    expect(() => parseBulletinZones({ type: 'Feature' })).toThrow(/né TopoJSON/)
  })
})
