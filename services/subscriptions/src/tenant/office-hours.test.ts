import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parseTenant } from '@banditore/platform'
import { describeOfficeHours, type OfficeHours } from './office-hours.js'

// Ancona's "URP su WhatsApp", as its tenant file gives it.
const ancona = parseTenant('ancona.json', JSON.parse(readFileSync(new URL('../../../../tenants/ancona.json', import.meta.url), 'utf8'))).officeHours as OfficeHours

describe('office hours as citizens read them', () => {
  it('describes the hours as citizens read them', () => {
    expect(describeOfficeHours(ancona, 'it')).toBe('lunedì, mercoledì e venerdì 9-13; martedì e giovedì 9-13 e 15-17')
    expect(describeOfficeHours(ancona, 'fr')).toBe('lundi, mercredi et vendredi 9-13; mardi et jeudi 9-13 et 15-17')
    expect(describeOfficeHours({ weekly: { '6': [['08:30', '12:15']] }, closedDays: [], nationalHolidays: true }, 'it')).toBe('sabato 8:30-12:15')
  })
})
