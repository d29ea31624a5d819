import type { Recurrence, Weekday } from '@banditore/contracts'
import { instantOf, localDateTimeOf } from '../planning/local-time.js'

/**
 * The times of a recurrence, as instants: local wall-clock times of the tenant's time zone
 * (Europe/Rome), as the Temporal Schedule's calendar specs in that zone name them. The staff API
 * computes them to list upcoming occurrences and to check that a time staff skip or edit, or the
 * worker asks about, is one of the series'.
 */

/** A series spans at most this many days (a year of notices, with room for a school year). */
export const MAX_SPAN_DAYS = 400

export class RecurrenceInvalidError extends Error {
  readonly code = 'RECURRENCE_INVALID'
  readonly statusCode = 422
  constructor(path: string, message: string) {
    super(`/recurrence${path}: ${message}`)
    this.name = 'RecurrenceInvalidError'
  }
}

export const WEEKDAYS: readonly Weekday[] = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday']
const DAY_MS = 86_400_000
const pad = (n: number) => String(n).padStart(2, '0')

/** Days since the epoch of a `YYYY-MM-DD`, or NaN when the date does not exist. */
function dayNumber(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const t = Date.UTC(y, m - 1, d)
  const back = new Date(t)
  return back.getUTCFullYear() === y && back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t / DAY_MS : Number.NaN
}
const dateOf = (day: number) => {
  const d = new Date(day * DAY_MS)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}

/** The instant a local `YYYY-MM-DDTHH:MM[:SS]` names; NaN date when it does not exist. */
export function instantOfLocal(local: string, timeZone: string): Date {
  if (Number.isNaN(dayNumber(local.slice(0, 10)))) return new Date(Number.NaN)
  const seconds = local.length > 16 ? Number(local.slice(17, 19)) : 0
  return new Date(instantOf(local.slice(0, 16), timeZone).getTime() + seconds * 1000)
}

export interface RecurrenceSpan {
  /** No occurrence before this (week and month series: the start of `from`). */
  startsAt: Date | null
  /** The last moment the series may send (the end of `until`, or the last date). */
  endsAt: Date
}

/** Checks a recurrence as staff wrote it and answers its span. Throws RecurrenceInvalidError (Italian). */
export function spanOf(recurrence: Recurrence, timeZone: string, now: Date): RecurrenceSpan {
  if ('dates' in recurrence) {
    const instants = recurrence.dates.map((date, i) => {
      const at = instantOfLocal(date, timeZone)
      if (Number.isNaN(at.getTime())) throw new RecurrenceInvalidError(`/dates/${i}`, `la data ${date} non esiste`)
      if (at <= now) throw new RecurrenceInvalidError(`/dates/${i}`, `la data ${date} è già passata`)
      return at
    })
    return { startsAt: null, endsAt: new Date(Math.max(...instants.map((d) => d.getTime()))) }
  }
  const from = dayNumber(recurrence.from)
  const until = dayNumber(recurrence.until)
  if (Number.isNaN(from)) throw new RecurrenceInvalidError('/from', `la data ${recurrence.from} non esiste`)
  if (Number.isNaN(until)) throw new RecurrenceInvalidError('/until', `la data ${recurrence.until} non esiste`)
  if (until < from) throw new RecurrenceInvalidError('/until', 'la data di fine deve seguire quella di inizio')
  if (until - from > MAX_SPAN_DAYS) throw new RecurrenceInvalidError('/until', `una serie dura al massimo ${MAX_SPAN_DAYS} giorni; per proseguire crearne una nuova`)
  const span = { startsAt: instantOf(`${recurrence.from}T00:00`, timeZone), endsAt: new Date(instantOf(`${dateOf(until + 1)}T00:00`, timeZone).getTime() - 1000) }
  if (occurrencesOf(recurrence, timeZone, now, 1).length === 0) throw new RecurrenceInvalidError('', 'nessuna ricorrenza cade tra adesso e la data di fine')
  return span
}

/** Up to `limit` occurrences at or after `after`, in order. */
export function occurrencesOf(recurrence: Recurrence, timeZone: string, after: Date, limit: number): Date[] {
  if ('dates' in recurrence) {
    return recurrence.dates
      .map((d) => instantOfLocal(d, timeZone))
      .filter((d) => d.getTime() >= after.getTime())
      .sort((a, b) => a.getTime() - b.getTime())
      .slice(0, limit)
  }
  const first = Math.max(dayNumber(recurrence.from), dayNumber(localDateTimeOf(after, timeZone).slice(0, 10)) - 1)
  const last = dayNumber(recurrence.until)
  const found: Date[] = []
  for (let day = first; day <= last && found.length < limit; day++) {
    const date = new Date(day * DAY_MS)
    const matches = recurrence.every === 'week' ? recurrence.weekdays.includes(WEEKDAYS[date.getUTCDay()] as Weekday) : date.getUTCDate() === recurrence.day
    if (!matches) continue
    const at = instantOf(`${dateOf(day)}T${recurrence.at}`, timeZone)
    if (at.getTime() >= after.getTime()) found.push(at)
  }
  return found
}

/** Whether `at` is one of the recurrence's times. */
export function isOccurrence(recurrence: Recurrence, timeZone: string, at: Date): boolean {
  return occurrencesOf(recurrence, timeZone, at, 1)[0]?.getTime() === at.getTime()
}

/** `YYYY-MM-DDTHH:MM:SS` in the tenant's zone, as staff read an occurrence's time. */
export function localTimeOf(at: Date, timeZone: string): string {
  return `${localDateTimeOf(at, timeZone)}:${pad(at.getUTCSeconds())}`
}
