import { readFileSync } from 'node:fs'
import { parseTenant } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { OfficeHoursClock } from './office-hours-clock.js'

// Ancona's URP, as its tenant file gives it (Monday, Wednesday, Friday 9-13; Tuesday and Thursday
// also 15-17), with other closed days.
const anconaHours = parseTenant('ancona.json', JSON.parse(readFileSync(new URL('../../../../tenants/ancona.json', import.meta.url), 'utf8'))).officeHours
const ancona = new OfficeHoursClock('Europe/Rome', anconaHours && { ...anconaHours, closedDays: ['2026-08-14', '12-24'] })

describe('OfficeHoursClock', () => {
  it('reads the weekly intervals in the tenant timezone, across summer time', () => {
    expect(ancona.isOpen(Date.parse('2026-03-10T14:30:00Z'))).toBe(true) // Tue 15:30 CET
    expect(ancona.isOpen(Date.parse('2026-03-11T14:30:00Z'))).toBe(false) // Wed 15:30 CET
    expect(ancona.isOpen(Date.parse('2026-07-07T13:30:00Z'))).toBe(true) // Tue 15:30 CEST
    expect(ancona.isOpen(Date.parse('2026-07-07T11:00:00Z'))).toBe(false) // Tue 13:00 CEST: closing time
    expect(ancona.isOpen(Date.parse('2026-03-14T09:00:00Z'))).toBe(false) // Saturday
  })

  it('is closed on national holidays, Easter Monday and the closed days', () => {
    expect(ancona.isOpen(Date.parse('2026-04-06T08:00:00Z'))).toBe(false) // Easter Monday
    expect(ancona.isOpen(Date.parse('2026-12-08T09:00:00Z'))).toBe(false) // Immacolata, a Tuesday
    expect(ancona.isOpen(Date.parse('2026-08-14T08:00:00Z'))).toBe(false) // closed that year
    expect(ancona.isOpen(Date.parse('2027-12-24T09:00:00Z'))).toBe(false) // closed every year
    expect(ancona.isOpen(Date.parse('2026-04-07T08:00:00Z'))).toBe(true)
    expect(ancona.isOpen(Date.parse('2026-10-05T08:00:00Z'))).toBe(true) // a Monday
    expect(ancona.isOpen(Date.parse('2027-10-04T08:00:00Z'))).toBe(false) // San Francesco, a Monday, national again from 2026
  })

  it('is never open without office hours', () => {
    expect(new OfficeHoursClock('Europe/Rome', undefined).isOpen(Date.parse('2026-03-10T09:00:00Z'))).toBe(false)
  })
})
