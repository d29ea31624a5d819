import { localMoment } from '@banditore/platform'

/**
 * Wall-clock times of a tenant (its IANA time zone, Europe/Rome today) and the instants they
 * name. Staff set electoral periods and quiet hours in local time; the database and the workflow
 * keep instants.
 */

const pad = (n: number) => String(n).padStart(2, '0')
const MINUTE = 60_000

/** `YYYY-MM-DDTHH:MM` of `instant` in `timeZone`. */
export function localDateTimeOf(instant: Date, timeZone: string): string {
  const m = localMoment(instant, timeZone)
  return `${m.year}-${pad(m.month)}-${pad(m.day)}T${pad(Math.floor(m.minutes / 60))}:${pad(m.minutes % 60)}`
}

/** Minutes `timeZone` is ahead of UTC at `instant`. */
function offsetMinutes(instant: Date, timeZone: string): number {
  const m = localMoment(instant, timeZone)
  const asUtc = Date.UTC(m.year, m.month - 1, m.day, 0, m.minutes)
  return Math.round((asUtc - Math.floor(instant.getTime() / MINUTE) * MINUTE) / MINUTE)
}

/**
 * The instant a local `YYYY-MM-DDTHH:MM` names in `timeZone`. In the hour skipped when clocks go
 * forward, the time after the change; in the hour repeated when they go back, the first one.
 */
export function instantOf(local: string, timeZone: string): Date {
  const [date = '', time = ''] = local.split('T')
  const [year, month, day] = date.split('-').map(Number) as [number, number, number]
  const [hour, minute] = time.split(':').map(Number) as [number, number]
  const wall = Date.UTC(year, month - 1, day, hour, minute)
  // The offsets in force half a day either side cover any change of the clocks near `local`.
  const before = wall - offsetMinutes(new Date(wall - 12 * 60 * MINUTE), timeZone) * MINUTE
  const after = wall - offsetMinutes(new Date(wall + 12 * 60 * MINUTE), timeZone) * MINUTE
  const candidates = [before, after].filter((t) => localDateTimeOf(new Date(t), timeZone) === local).sort((a, b) => a - b)
  // None: `local` is in the skipped hour; the offset before the change puts it just after.
  return new Date(candidates[0] ?? before)
}

/** The local calendar date of `instant` shifted by `days`, as `YYYY-MM-DD`. */
export function localDateOf(instant: Date, timeZone: string, days = 0): string {
  const m = localMoment(instant, timeZone)
  const d = new Date(Date.UTC(m.year, m.month - 1, m.day + days))
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
}
