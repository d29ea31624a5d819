import type { BulletinColour } from '@banditore/contracts'

/**
 * The Department of Civil Protection's bulletin of hydrogeological and hydraulic criticality as
 * published in pcm-dpc/DPC-Bollettini-Criticita-Idrogeologica-Idraulica: an index per bulletin
 * (`files/<YYYYMMDD_HHMM>.json`: `name`, `today.topo_json`, `tomorrow.topo_json`) and, per day,
 * a TopoJSON (or the same features as GeoJSON under `files/geojson/`) whose features carry
 * `Nome zona`, `Comuni` and the criticality per risk (`Per rischio idraulico`, `Per rischio
 * temporali`, `Per rischio idrogeologico`) and the one the map shows (`Rappresentata nella
 * mappa`), as `<criticità> / <ALLERTA colore>` texts.
 */

/** A file that is not what the DPC publishes; `message` is Italian, for staff. */
export class BulletinFormatError extends Error {
  readonly code = 'BULLETIN_FORMAT'
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'BulletinFormatError'
  }
}

export interface BulletinIndex {
  /** As published: `Bollettino del 07 dicembre 2026 ore 15:30`. */
  name: string
  /** The bulletin's stamp, from its files' names: `20261207_1530`. */
  bulletinId: string
  days: Array<{ which: 'today' | 'tomorrow'; day: string; url: string }>
}

export interface BulletinZone {
  name: string
  municipalities: string[]
  colour: BulletinColour
  /** The text of the highest criticality (what the map shows, or the risk that is higher). */
  criticality: string
}

const STAMP = /(\d{8}_\d{4})_(today|tomorrow)\.json(?:$|\?)/
const RISKS = ['Rappresentata nella mappa', 'Per rischio idraulico', 'Per rischio temporali', 'Per rischio idrogeologico'] as const
const ORDER: readonly BulletinColour[] = ['green', 'yellow', 'orange', 'red']

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/** The index of one bulletin; relative file URLs are resolved against `base` (the index's URL). */
export function parseBulletinIndex(document: unknown, base: string): BulletinIndex {
  if (!isObject(document)) throw new BulletinFormatError("l'indice del bollettino non è un oggetto JSON")
  const name = document.name
  if (typeof name !== 'string' || name.length === 0) throw new BulletinFormatError("l'indice del bollettino non ha il nome (name)")
  const days: BulletinIndex['days'] = []
  let bulletinId: string | undefined
  for (const which of ['today', 'tomorrow'] as const) {
    const entry = document[which]
    if (entry === undefined) continue
    const ref = isObject(entry) ? entry.topo_json : undefined
    if (typeof ref !== 'string') throw new BulletinFormatError(`l'indice del bollettino non indica il file di ${which === 'today' ? 'oggi' : 'domani'} (${which}.topo_json)`)
    const match = STAMP.exec(ref)
    if (!match) throw new BulletinFormatError(`il file ${ref} non ha il nome dei file del DPC (AAAAMMGG_HHMM_${which}.json)`)
    const stamp = match[1] as string
    if (bulletinId !== undefined && bulletinId !== stamp) throw new BulletinFormatError(`i file di oggi e di domani sono di bollettini diversi (${bulletinId}, ${stamp})`)
    bulletinId = stamp
    let url: string
    try {
      url = new URL(ref, base).toString()
    } catch (error) {
      throw new BulletinFormatError(`indirizzo del file non valido: ${ref}`, { cause: error })
    }
    days.push({ which, day: addDays(issueDay(stamp), which === 'today' ? 0 : 1), url })
  }
  if (bulletinId === undefined) throw new BulletinFormatError("l'indice del bollettino non indica né il file di oggi né quello di domani")
  return { name, bulletinId, days }
}

/** The zones of one day's file, TopoJSON (`Topology`) or GeoJSON (`FeatureCollection`). */
export function parseBulletinZones(document: unknown): BulletinZone[] {
  if (!isObject(document)) throw new BulletinFormatError('il file del bollettino non è un oggetto JSON')
  let features: unknown[]
  if (document.type === 'Topology' && isObject(document.objects)) {
    features = Object.values(document.objects).flatMap((object) => (isObject(object) && Array.isArray(object.geometries) ? object.geometries : []))
  } else if (document.type === 'FeatureCollection' && Array.isArray(document.features)) {
    features = document.features
  } else {
    throw new BulletinFormatError('il file del bollettino non è né TopoJSON (Topology) né GeoJSON (FeatureCollection)')
  }
  const zones = features.map((feature, index) => {
    const properties = isObject(feature) ? feature.properties : undefined
    if (!isObject(properties) || typeof properties['Nome zona'] !== 'string') throw new BulletinFormatError(`la zona n. ${index + 1} del bollettino non ha il nome (Nome zona)`)
    const name = properties['Nome zona']
    const levels = RISKS.flatMap((risk) => (typeof properties[risk] === 'string' ? [{ text: properties[risk], colour: colourOf(properties[risk]) }] : []))
    const known = levels.filter((level): level is { text: string; colour: BulletinColour } => level.colour !== undefined)
    if (known.length === 0) throw new BulletinFormatError(`la zona ${name} non ha un livello di allerta riconoscibile`)
    const highest = known.reduce((top, level) => (ORDER.indexOf(level.colour) > ORDER.indexOf(top.colour) ? level : top))
    const municipalities = Array.isArray(properties.Comuni) ? properties.Comuni.filter((c): c is string => typeof c === 'string') : []
    return { name, municipalities, colour: highest.colour, criticality: highest.text }
  })
  if (zones.length === 0) throw new BulletinFormatError('il file del bollettino non ha zone')
  return zones
}

/** `… / ALLERTA ARANCIONE` → orange; `… / NESSUNA ALLERTA` → green. */
export function colourOf(text: string): BulletinColour | undefined {
  const upper = text.toUpperCase()
  if (upper.includes('ALLERTA ROSSA')) return 'red'
  if (upper.includes('ALLERTA ARANCIONE')) return 'orange'
  if (upper.includes('ALLERTA GIALLA')) return 'yellow'
  if (upper.includes('NESSUNA ALLERTA')) return 'green'
  return undefined
}

const normalised = (text: string) => text.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase()

/** The tenant's zone: named as published, by its code (zones never named), or by the municipality. */
export function findZone(zones: readonly BulletinZone[], watch: { zone: string; zoneName?: string; municipality?: string }): BulletinZone | undefined {
  const names = [watch.zone, watch.zoneName].filter((n): n is string => n !== undefined).map(normalised)
  const byName = zones.find((z) => names.includes(normalised(z.name)))
  if (byName || watch.municipality === undefined) return byName
  const municipality = normalised(watch.municipality)
  return zones.find((z) => z.municipalities.some((m) => normalised(m) === municipality))
}

/** `20261207_1530` → `2026-12-07`. */
function issueDay(stamp: string): string {
  return `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}`
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T12:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

/** `2026-12-07` → `7/12/2026`, as staff and citizens in Italy write it. */
export function italianDay(day: string): string {
  const [year, month, date] = day.split('-')
  return `${Number(date)}/${Number(month)}/${year}`
}
