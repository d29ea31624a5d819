import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { easterMonday, easterSunday, isItalianPublicHoliday, isOfficeOpen, localMoment, type OfficeHours } from './office-hours.js'
import { parseTenant } from './tenant-directory.js'

// Ancona's "URP su WhatsApp", as its tenant file gives it: Mon, Wed, Fri 9-13; Tue, Thu 9-13 and
// 15-17; San Ciriaco (4 May) closed.
const ancona = parseTenant('ancona.json', JSON.parse(readFileSync(new URL('../../../tenants/ancona.json', import.meta.url), 'utf8'))).officeHours as OfficeHours
const open = (iso: string) => isOfficeOpen(ancona, 'Europe/Rome', new Date(iso))

describe('Easter', () => {
  it.each([
    [2024, 3, 31],
    [2025, 4, 20],
    [2026, 4, 5],
    [2027, 3, 28],
    [2038, 4, 25],
    [2285, 3, 22],
  ])('Easter Sunday %i is %i/%i', (year, month, day) => {
    expect(easterSunday(year)).toEqual({ year, month, day })
  })

  it('Easter Monday crosses month ends', () => {
    expect(easterMonday(2024)).toEqual({ year: 2024, month: 4, day: 1 })
    expect(easterMonday(2026)).toEqual({ year: 2026, month: 4, day: 6 })
  })
})

describe('Italian public holidays', () => {
  it.each([
    ['2026-01-01', true],
    ['2026-01-06', true],
    ['2026-04-06', true],
    ['2026-04-07', false],
    ['2026-04-25', true],
    ['2026-06-02', true],
    ['2026-08-15', true],
    ['2026-10-04', true],
    ['2025-10-04', false],
    ['2026-12-08', true],
    ['2026-12-26', true],
    ['2026-03-10', false],
  ])('%s → %s', (iso, expected) => {
    const [year, month, day] = iso.split('-').map(Number) as [number, number, number]
    expect(isItalianPublicHoliday({ year, month, day })).toBe(expected)
  })
})

describe('Ancona office hours (Europe/Rome)', () => {
  it('is open inside the intervals, start inclusive and end exclusive', () => {
    expect(open('2026-03-09T08:00:00Z')).toBe(true) // Mon 09:00 CET
    expect(open('2026-03-09T11:59:00Z')).toBe(true) // Mon 12:59
    expect(open('2026-03-09T12:00:00Z')).toBe(false) // Mon 13:00
    expect(open('2026-03-10T14:30:00Z')).toBe(true) // Tue 15:30
    expect(open('2026-03-11T14:30:00Z')).toBe(false) // Wed 15:30: no afternoon
    expect(open('2026-03-12T15:59:00Z')).toBe(true) // Thu 16:59
    expect(open('2026-03-12T16:00:00Z')).toBe(false) // Thu 17:00
    expect(open('2026-03-14T09:00:00Z')).toBe(false) // Sat
    expect(open('2026-03-09T07:59:00Z')).toBe(false) // Mon 08:59
  })

  it('follows daylight saving time', () => {
    expect(open('2026-07-07T07:30:00Z')).toBe(true) // Tue 09:30 CEST
    expect(open('2026-07-07T06:30:00Z')).toBe(false) // Tue 08:30 CEST
    expect(localMoment(new Date('2026-03-29T01:30:00Z'), 'Europe/Rome')).toMatchObject({ day: 29, minutes: 3 * 60 + 30 })
  })

  it('is closed on Easter Monday, other national holidays and the patron saint', () => {
    expect(open('2026-04-06T08:30:00Z')).toBe(false) // Easter Monday, 10:30
    expect(open('2026-04-07T08:30:00Z')).toBe(true) // the Tuesday after
    expect(open('2026-06-02T08:30:00Z')).toBe(false) // Festa della Repubblica (Tue)
    expect(open('2026-05-04T08:30:00Z')).toBe(false) // San Ciriaco (Mon)
    expect(isOfficeOpen({ ...ancona, nationalHolidays: false }, 'Europe/Rome', new Date('2026-04-06T08:30:00Z'))).toBe(true)
  })

})
