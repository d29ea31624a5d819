import type { QuietHours } from '@banditore/contracts'
import { instantOf, localDateOf } from './local-time.js'

/** The deployment's default quiet hours (QUIET_HOURS_DEFAULT: `21:00-08:00`, or `off`). */
export function defaultQuietHours(setting: string): { enabled: boolean; start: string; end: string } {
  if (setting === 'off') return { enabled: false, start: '21:00', end: '08:00' }
  const [start = '21:00', end = '08:00'] = setting.split('-')
  return { enabled: true, start, end }
}

export interface QuietWindow {
  from: Date
  until: Date
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

/**
 * The quiet intervals that overlap [`from`, `from` + `days`), as instants, in order: each local
 * day's `start` to the next `end` (the same day's when `end` is later). An empty list when quiet
 * hours are disabled or `start` equals `end`.
 */
export function quietWindows(hours: QuietHours, from: Date, days: number): QuietWindow[] {
  if (!hours.enabled || hours.start === hours.end) return []
  const spansMidnight = minutesOf(hours.start) > minutesOf(hours.end)
  const horizon = from.getTime() + days * 86_400_000
  const windows: QuietWindow[] = []
  // From the day before: last night's window may still be running.
  for (let day = -1; day <= days; day++) {
    const date = localDateOf(from, hours.timeZone, day)
    const start = instantOf(`${date}T${hours.start}`, hours.timeZone)
    const endDate = spansMidnight ? localDateOf(start, hours.timeZone, 1) : date
    const until = instantOf(`${endDate}T${hours.end}`, hours.timeZone)
    if (until.getTime() <= from.getTime() || start.getTime() >= horizon) continue
    windows.push({ from: start, until })
  }
  return windows
}

/**
 * When a sending of `seconds` started at `start` ends, pausing in each quiet window it meets (a
 * start inside a window waits for its end). Returns the end and the pauses taken.
 */
export function scheduleAround(windows: readonly QuietWindow[], start: Date, seconds: number): { endsAt: Date; pauses: QuietWindow[] } {
  let at = start.getTime()
  let left = seconds * 1000
  const pauses: QuietWindow[] = []
  for (const w of windows) {
    const from = w.from.getTime()
    const until = w.until.getTime()
    if (until <= at) continue
    if (from <= at) {
      pauses.push({ from: new Date(at), until: w.until })
      at = until
      continue
    }
    if (at + left <= from) break
    left -= from - at
    pauses.push(w)
    at = until
  }
  return { endsAt: new Date(at + left), pauses }
}
