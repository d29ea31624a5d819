import { describe, expect, it } from 'vitest'
import { isOccurrence, occurrencesOf, RecurrenceInvalidError, spanOf } from './recurrence.js'
import { scheduleSpecOf } from './recurring-schedule.client.js'

const ROME = 'Europe/Rome'
const now = new Date('2027-03-20T12:00:00Z')

describe('recurrences in local time', () => {
  it('finds weekly times across the change to summer time, at the same wall-clock time', () => {
    const weekly = { every: 'week' as const, weekdays: ['monday' as const, 'thursday' as const], at: '18:00', from: '2027-03-20', until: '2027-04-05' }
    expect(occurrencesOf(weekly, ROME, now, 10).map((d) => d.toISOString())).toEqual([
      '2027-03-22T17:00:00.000Z',
      '2027-03-25T17:00:00.000Z',
      // Clocks go forward on 28 March: 18:00 is 16:00 UTC from then on.
      '2027-03-29T16:00:00.000Z',
      '2027-04-01T16:00:00.000Z',
      '2027-04-05T16:00:00.000Z',
    ])
    expect(spanOf(weekly, ROME, now)).toEqual({ startsAt: new Date('2027-03-19T23:00:00Z'), endsAt: new Date('2027-04-05T21:59:59Z') })
    expect(isOccurrence(weekly, ROME, new Date('2027-03-29T16:00:00Z'))).toBe(true)
    expect(isOccurrence(weekly, ROME, new Date('2027-03-29T17:00:00Z'))).toBe(false)
  })

  it('finds monthly times on the given day and announced dates with seconds', () => {
    const monthly = { every: 'month' as const, day: 1, at: '07:30', from: '2027-01-01', until: '2027-06-30' }
    expect(occurrencesOf(monthly, ROME, now, 3).map((d) => d.toISOString())).toEqual(['2027-04-01T05:30:00.000Z', '2027-05-01T05:30:00.000Z', '2027-06-01T05:30:00.000Z'])
    const dates = { dates: ['2027-05-02T09:00', '2027-04-11T09:00:30'] }
    expect(occurrencesOf(dates, ROME, now, 5).map((d) => d.toISOString())).toEqual(['2027-04-11T07:00:30.000Z', '2027-05-02T07:00:00.000Z'])
    expect(spanOf(dates, ROME, now).endsAt.toISOString()).toBe('2027-05-02T07:00:00.000Z')
  })

  it('refuses dates that are past or do not exist, and series with nothing left to send', () => {
    expect(() => spanOf({ dates: ['2027-03-01T09:00'] }, ROME, now)).toThrow(RecurrenceInvalidError)
    expect(() => spanOf({ dates: ['2027-02-29T09:00'] }, ROME, now)).toThrow('/recurrence/dates/0: la data 2027-02-29T09:00 non esiste')
    expect(() => spanOf({ every: 'month', day: 5, at: '09:00', from: '2027-03-01', until: '2027-03-19' }, ROME, now)).toThrow('nessuna ricorrenza')
  })

  it('becomes Temporal calendar specs in the tenant zone, without jitter', () => {
    const span = { startsAt: null, endsAt: new Date('2027-04-11T07:00:30Z') }
    expect(scheduleSpecOf({ dates: ['2027-04-11T09:00:30'] }, ROME, span)).toMatchObject({
      timezone: ROME,
      jitter: 0,
      calendars: [{ year: 2027, month: 'APRIL', dayOfMonth: 11, hour: 9, minute: 0, second: 30 }],
    })
    const weekly = scheduleSpecOf({ every: 'week', weekdays: ['monday', 'sunday'], at: '18:05', from: '2027-01-01', until: '2027-02-01' }, ROME, span)
    expect(weekly.calendars).toEqual([{ dayOfWeek: ['MONDAY', 'SUNDAY'], hour: 18, minute: 5, second: 0, comment: 'monday,sunday 18:05' }])
  })
})
