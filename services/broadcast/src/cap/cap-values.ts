// Value formats of CAP 1.2 (OASIS Common Alerting Protocol, section 3.3): date-times, message
// references, WGS 84 polygons and circles, language tags, URIs.

/** `YYYY-MM-DDThh:mm:ss` followed by a numeric offset; CAP forbids 'Z' and fractional seconds. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})[+-](\d{2}):(\d{2})$/
/** RFC 3066 language tag, e.g. it-IT, fr-FR, de-DE. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/
/** CAP identifiers and senders must not contain spaces, commas or the restricted characters < and &. */
const IDENTIFIER_FORBIDDEN = /[\s,<&]/

export const CAP_DATE_TIME_FORMAT = 'AAAA-MM-GGThh:mm:ss±hh:mm'

export function isCapDateTime(value: string): boolean {
  const match = DATE_TIME.exec(value)
  if (match === null) return false
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = match.slice(1).map(Number) as [
    number, number, number, number, number, number, number, number,
  ]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return false
  if (hour > 23 || minute > 59 || second > 59) return false
  return offsetHours <= 14 && offsetMinutes <= 59
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one; UTC avoids any local-time shift.
  return new Date(Date.UTC(year, month, 0)).getUTCDate()
}

export function isCapIdentifier(value: string): boolean {
  return !IDENTIFIER_FORBIDDEN.test(value)
}

export function isLanguageTag(value: string): boolean {
  return LANGUAGE_TAG.test(value)
}

export function isAbsoluteUri(value: string): boolean {
  try {
    new URL(value)
    return !/\s/.test(value)
  } catch {
    return false
  }
}

export function isDecimal(value: string): boolean {
  return DECIMAL.test(value)
}

export interface CapReference {
  sender: string
  identifier: string
  sent: string
}

/** Parses space-separated `sender,identifier,sent` triples; undefined when any is malformed. */
export function parseCapReferences(value: string): CapReference[] | undefined {
  const references: CapReference[] = []
  for (const triple of value.trim().split(/\s+/)) {
    const parts = triple.split(',')
    if (parts.length !== 3) return undefined
    const [sender, identifier, sent] = parts as [string, string, string]
    if (sender === '' || identifier === '' || !isCapDateTime(sent)) return undefined
    references.push({ sender, identifier, sent })
  }
  return references
}

interface Point {
  latitude: number
  longitude: number
}

function parsePoint(pair: string): Point | undefined {
  const parts = pair.split(',')
  if (parts.length !== 2) return undefined
  const [latitudeText, longitudeText] = parts as [string, string]
  if (!isDecimal(latitudeText) || !isDecimal(longitudeText)) return undefined
  const latitude = Number(latitudeText)
  const longitude = Number(longitudeText)
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined
  return { latitude, longitude }
}

/**
 * What is wrong with a polygon (CAP 1.2, 3.2.4: at least four WGS 84 `lat,lon` pairs separated by
 * spaces, the last repeating the first), in Italian; undefined when it is well formed.
 */
export function polygonProblem(value: string): string | undefined {
  const pairs = value.trim().split(/\s+/)
  if (pairs.length < 4) return `ha ${value.trim() === '' ? 0 : pairs.length} coppie di coordinate, ne servono almeno 4`
  for (const pair of pairs) {
    const parts = pair.split(',')
    if (parts.length !== 2 || !isDecimal(parts[0] as string) || !isDecimal(parts[1] as string)) {
      return `contiene ${quotedPair(pair)}, che non è una coppia lat,lon`
    }
    if (Math.abs(Number(parts[0])) > 90) {
      return `contiene ${quotedPair(pair)}: la latitudine ${parts[0]} è oltre 90 gradi (coordinate scritte lon,lat invece di lat,lon?)`
    }
    // Longitude wraps: polygons that cross the antimeridian are written past ±180 (GDACS does).
    if (Math.abs(Number(parts[1])) > 360) return `contiene ${quotedPair(pair)}: la longitudine ${parts[1]} è oltre 360 gradi`
  }
  const [first, last] = [pairs[0] as string, pairs[pairs.length - 1] as string].map((pair) => pair.split(',').map(Number)) as [
    [number, number],
    [number, number],
  ]
  if (first[0] !== last[0] || first[1] !== last[1]) {
    return `non si chiude: l'ultima coppia ${quotedPair(pairs[pairs.length - 1] as string)} deve ripetere la prima ${quotedPair(pairs[0] as string)}`
  }
  return undefined
}

function quotedPair(pair: string): string {
  return `'${pair.length > 40 ? `${pair.slice(0, 39)}…` : pair}'`
}

/**
 * A closed polygon of at least four `lat,lon` pairs (WGS 84 degrees) whose last point repeats the
 * first; returns it with whitespace normalised, or undefined when malformed.
 */
export function normalisePolygon(value: string): string | undefined {
  return polygonProblem(value) === undefined ? value.trim().split(/\s+/).join(' ') : undefined
}

/** A circle `lat,lon radius` (radius in kilometres, not negative); undefined when malformed. */
export function normaliseCircle(value: string): string | undefined {
  const parts = value.trim().split(/\s+/)
  if (parts.length !== 2) return undefined
  const [centre, radius] = parts as [string, string]
  if (parsePoint(centre) === undefined || !isDecimal(radius) || Number(radius) < 0) return undefined
  return parts.join(' ')
}
