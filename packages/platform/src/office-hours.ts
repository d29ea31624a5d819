import type { Tenant } from '@banditore/contracts'

/**
 * The office calendar every service reads the same way: Italian national public holidays and a
 * tenant's opening hours in its own time zone (the desk of the subscriptions service, the
 * office-hours fact of moderation).
 */

/** A calendar date (month 1-12). */
export interface CalendarDate {
  year: number
  month: number
  day: number
}

/**
 * Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/Butcher"),
 * valid for every year from 1583.
 */
export function easterSunday(year: number): CalendarDate {
  const a = year % 19
  const b = Math.floor(year / 100)
  const c = year % 100
  const d = Math.floor(b / 4)
  const e = b % 4
  const f = Math.floor((b + 8) / 25)
  const g = Math.floor((b - f + 1) / 3)
  const h = (19 * a + b - d - g + 15) % 30
  const i = Math.floor(c / 4)
  const k = c % 4
  const l = (32 + 2 * e + 2 * i - h - k) % 7
  const m = Math.floor((a + 11 * h + 22 * l) / 451)
  const month = Math.floor((h + l - 7 * m + 114) / 31)
  const day = ((h + l - 7 * m + 114) % 31) + 1
  return { year, month, day }
}

/** The day after Easter Sunday (Lunedì dell'Angelo), a national holiday in Italy. */
export function easterMonday(year: number): CalendarDate {
  const sunday = easterSunday(year)
  const next = new Date(Date.UTC(year, sunday.month - 1, sunday.day + 1))
  return { year, month: next.getUTCMonth() + 1, day: next.getUTCDate() }
}

// Fixed-date national holidays (L. 260/1949 and later amendments), as MM-DD.
const FIXED = ['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26']
// San Francesco d'Assisi (4 October) is a national holiday again from 2026 (restored in 2025).
const FROM_2026 = ['10-04']

const pad = (n: number) => String(n).padStart(2, '0')

/** Whether the date is an Italian national public holiday (Sundays aside). */
export function isItalianPublicHoliday(date: CalendarDate): boolean {
  const key = `${pad(date.month)}-${pad(date.day)}`
  if (FIXED.includes(key)) return true
  if (date.year >= 2026 && FROM_2026.includes(key)) return true
  const monday = easterMonday(date.year)
  return monday.month === date.month && monday.day === date.day
}

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

/** Whether the day is closed: a national holiday (when the tenant observes them) or a listed day. */
export function isClosedDay(hours: OfficeHours, date: CalendarDate): boolean {
  if (hours.nationalHolidays !== false && isItalianPublicHoliday(date)) return true
  const monthDay = `${pad(date.month)}-${pad(date.day)}`
  const full = `${date.year}-${monthDay}`
  return (hours.closedDays ?? []).some((d) => d === monthDay || d === full)
}

/** Whether the office is open at `instant`: inside an interval of the weekday, start inclusive, end exclusive. */
export function isOfficeOpen(hours: OfficeHours, timeZone: string, instant: Date): boolean {
  const local = localMoment(instant, timeZone)
  if (isClosedDay(hours, local)) return false
  const intervals = hours.weekly[String(local.weekday)] ?? []
  return intervals.some(([from, to]) => local.minutes >= toMinutes(from) && local.minutes < toMinutes(to))
}
