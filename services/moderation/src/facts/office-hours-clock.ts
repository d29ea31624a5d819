import type { Tenant } from '@banditore/contracts'

type OfficeHours = NonNullable<Tenant['officeHours']>

/** Italian national public holidays (MM-DD); Easter Monday is computed per year. */
const NATIONAL_HOLIDAYS = new Set(['01-01', '01-06', '04-25', '05-01', '06-02', '08-15', '11-01', '12-08', '12-25', '12-26'])

/** Easter Monday of a year, MM-DD (anonymous Gregorian algorithm). */
export function easterMonday(year: number): string {
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
  const monday = new Date(Date.UTC(year, month - 1, day + 1))
  return `${String(monday.getUTCMonth() + 1).padStart(2, '0')}-${String(monday.getUTCDate()).padStart(2, '0')}`
}

const WEEKDAYS: Readonly<Record<string, string>> = { Mon: '1', Tue: '2', Wed: '3', Thu: '4', Fri: '5', Sat: '6', Sun: '7' }

/**
 * Whether a tenant's office is open at an instant, in the tenant's timezone. Without office
 * hours the office is never open. Answers are cached per minute: consecutive messages share them.
 */
export class OfficeHoursClock {
  private readonly format: Intl.DateTimeFormat
  private cachedMinute = Number.NaN
  private cachedOpen = false

  constructor(
    timezone: string,
    private readonly hours: OfficeHours | undefined,
  ) {
    this.format = new Intl.DateTimeFormat('en-GB', {
      timeZone: timezone,
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
  }

  isOpen(at: number): boolean {
    if (!this.hours) return false
    const minute = Math.floor(at / 60_000)
    if (minute !== this.cachedMinute) {
      this.cachedMinute = minute
      this.cachedOpen = this.compute(at, this.hours)
    }
    return this.cachedOpen
  }

  private compute(at: number, hours: OfficeHours): boolean {
    const parts: Record<string, string> = {}
    for (const part of this.format.formatToParts(new Date(at))) parts[part.type] = part.value
    const monthDay = `${parts.month}-${parts.day}`
    const date = `${parts.year}-${monthDay}`
    if (hours.closedDays.includes(date) || hours.closedDays.includes(monthDay)) return false
    if (hours.nationalHolidays && (NATIONAL_HOLIDAYS.has(monthDay) || easterMonday(Number(parts.year)) === monthDay)) {
      return false
    }
    const time = `${parts.hour}:${parts.minute}`
    const intervals = hours.weekly[WEEKDAYS[parts.weekday ?? ''] ?? ''] ?? []
    return intervals.some(([from, to]) => time >= from && time < to)
  }
}
