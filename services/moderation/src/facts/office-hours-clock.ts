import { isOfficeOpen, type OfficeHours } from '@banditore/platform'

/**
 * Whether a tenant's office is open at an instant, in the tenant's timezone (the platform's
 * office calendar, holidays included). Without office hours the office is never open. Answers
 * are cached per minute: consecutive messages share them.
 */
export class OfficeHoursClock {
  private cachedMinute = Number.NaN
  private cachedOpen = false

  constructor(
    private readonly timezone: string,
    private readonly hours: OfficeHours | undefined,
  ) {}

  isOpen(at: number): boolean {
    if (!this.hours) return false
    const minute = Math.floor(at / 60_000)
    if (minute !== this.cachedMinute) {
      this.cachedMinute = minute
      this.cachedOpen = isOfficeOpen(this.hours, this.timezone, new Date(minute * 60_000))
    }
    return this.cachedOpen
  }
}
