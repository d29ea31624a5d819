import { describe, expect, it } from 'vitest'
import { instantOf, localDateTimeOf } from './local-time.js'
import { quietWindows, scheduleAround } from './quiet-hours.js'

const ROME = 'Europe/Rome'
const hours = { enabled: true, start: '21:00', end: '08:00', timeZone: ROME }

describe('local times of Europe/Rome', () => {
  it('round-trips winter and summer times, and the days the clocks change', () => {
    expect(instantOf('2027-01-15T21:00', ROME).toISOString()).toBe('2027-01-15T20:00:00.000Z')
    expect(instantOf('2027-07-15T21:00', ROME).toISOString()).toBe('2027-07-15T19:00:00.000Z')
    // 28 March 2027: 02:00 becomes 03:00; 31 October 2027: 03:00 becomes 02:00 (02:30 twice).
    expect(instantOf('2027-03-28T02:30', ROME).toISOString()).toBe('2027-03-28T01:30:00.000Z')
    expect(instantOf('2027-10-31T02:30', ROME).toISOString()).toBe('2027-10-31T00:30:00.000Z')
    expect(localDateTimeOf(new Date('2027-10-31T01:30:00Z'), ROME)).toBe('2027-10-31T02:30')
  })
})

describe('quiet hours', () => {
  it('lists the nights a sending meets, the running one included', () => {
    const windows = quietWindows(hours, new Date('2027-01-15T22:00:00Z'), 1)
    expect(windows.map((w) => [w.from.toISOString(), w.until.toISOString()])).toEqual([
      ['2027-01-15T20:00:00.000Z', '2027-01-16T07:00:00.000Z'],
      ['2027-01-16T20:00:00.000Z', '2027-01-17T07:00:00.000Z'],
    ])
    expect(quietWindows({ ...hours, enabled: false }, new Date(), 3)).toEqual([])
  })

  it('pauses a sending that runs into them and resumes it at their end', () => {
    const windows = quietWindows(hours, new Date('2027-01-15T19:30:00Z'), 2)
    // 20:30 Rome, one hour of sending: 30 minutes, then the night, then 30 minutes from 08:00.
    const { endsAt, pauses } = scheduleAround(windows, new Date('2027-01-15T19:30:00Z'), 3600)
    expect(pauses).toEqual([{ from: new Date('2027-01-15T20:00:00Z'), until: new Date('2027-01-16T07:00:00Z') }])
    expect(endsAt.toISOString()).toBe('2027-01-16T07:30:00.000Z')
    // A start inside the night waits for its end; a daytime sending meets nothing.
    expect(scheduleAround(windows, new Date('2027-01-15T23:00:00Z'), 60).endsAt.toISOString()).toBe('2027-01-16T07:01:00.000Z')
    expect(scheduleAround(windows, new Date('2027-01-16T10:00:00Z'), 60)).toEqual({ endsAt: new Date('2027-01-16T10:01:00Z'), pauses: [] })
  })

  it('reads a window within one day (start before end)', () => {
    const windows = quietWindows({ ...hours, start: '13:00', end: '15:00' }, new Date('2027-07-15T08:00:00Z'), 1)
    expect(windows[0]).toEqual({ from: new Date('2027-07-15T11:00:00Z'), until: new Date('2027-07-15T13:00:00Z') })
  })
})
