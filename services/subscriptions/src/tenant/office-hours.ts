import type { Tenant } from '@banditore/contracts'
import { isItalianPublicHoliday, type CalendarDate } from './italian-holidays.js'

export type OfficeHours = NonNullable<Tenant['officeHours']>

/** A wall-clock moment in the tenant's time zone. */
export interface LocalMoment extends CalendarDate {
  /** ISO weekday, 1 = Monday. */
  weekday: number
  /** Minutes since local midnight. */
  minutes: number
}

const WEEKDAYS: Record<string, number> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 }
const formatters = new Map<string, Intl.DateTimeFormat>()

/** The local date and time of an instant in an IANA time zone (daylight saving included). */
export function localMoment(instant: Date, timeZone: string): LocalMoment {
  let format = formatters.get(timeZone)
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
      hourCycle: 'h23',
    })
    formatters.set(timeZone, format)
  }
  const parts = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  }
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))
const pad = (n: number) => String(n).padStart(2, '0')

/** Whether the day is closed: a national holiday (when the tenant observes them) or a listed day. */
export function isClosedDay(hours: OfficeHours, date: CalendarDate): boolean {
  if (hours.nationalHolidays !== false && isItalianPublicHoliday(date)) return true
  const monthDay = `${pad(date.month)}-${pad(date.day)}`
  const full = `${date.year}-${monthDay}`
  return (hours.closedDays ?? []).some((d) => d === monthDay || d === full)
}

/** Whether the desk is open at `instant`: inside an interval of the weekday, start inclusive, end exclusive. */
export function isDeskOpen(hours: OfficeHours, timeZone: string, instant: Date): boolean {
  const local = localMoment(instant, timeZone)
  if (isClosedDay(hours, local)) return false
  const intervals = hours.weekly[String(local.weekday)] ?? []
  return intervals.some(([from, to]) => local.minutes >= toMinutes(from) && local.minutes < toMinutes(to))
}

const DAY_NAMES: Record<string, string[]> = {
  it: ['lunedì', 'martedì', 'mercoledì', 'giovedì', 'venerdì', 'sabato', 'domenica'],
  fr: ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
}
const AND: Record<string, string> = { it: 'e', fr: 'et', en: 'and' }

const joinWords = (words: string[], and: string) =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${and} ${words.at(-1)}`

const formatTime = (hhmm: string) => (hhmm.endsWith(':00') ? String(Number(hhmm.slice(0, 2))) : hhmm.replace(/^0/, ''))

/**
 * The opening hours as a citizen reads them, days with the same intervals grouped:
 * "lunedì, mercoledì e venerdì 9-13; martedì e giovedì 9-13 e 15-17".
 */
export function describeOfficeHours(hours: OfficeHours, language: string): string {
  const names = DAY_NAMES[language] ?? DAY_NAMES.en!
  const and = AND[language] ?? AND.en!
  const groups = new Map<string, number[]>()
  for (let day = 1; day <= 7; day++) {
    const intervals = hours.weekly[String(day)] ?? []
    if (intervals.length === 0) continue
    const key = joinWords(
      intervals.map(([from, to]) => `${formatTime(from)}-${formatTime(to)}`),
      and,
    )
    groups.set(key, [...(groups.get(key) ?? []), day])
  }
  return [...groups.entries()].map(([times, days]) => `${joinWords(days.map((d) => names[d - 1]!), and)} ${times}`).join('; ')
}
