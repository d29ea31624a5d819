import { describe, expect, it } from 'vitest'
import { fixedAttemptsRetry, META_WEBHOOK_RETRY, nextRetryDelayMs, retrySchedule, TWILIO_WEBHOOK_RETRY } from './webhook-retry-policy.js'

const SECOND = 1000
const HOUR = 3600 * SECOND
const DAY = 24 * HOUR

describe("Meta's webhook retry schedule", () => {
  const delays = retrySchedule(META_WEBHOOK_RETRY)

  it('backs off exponentially from 15 s, at most 6 h apart', () => {
    expect(delays.slice(0, 4)).toEqual([15 * SECOND, 30 * SECOND, 60 * SECOND, 120 * SECOND])
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]!)
    expect(Math.max(...delays)).toBe(6 * HOUR)
  })

  it('keeps retrying for up to 7 days, and not longer', () => {
    const lastRetryAt = delays.reduce((sum, delay) => sum + delay, 0)
    expect(lastRetryAt).toBeLessThanOrEqual(7 * DAY)
    expect(lastRetryAt + 6 * HOUR).toBeGreaterThan(7 * DAY)
    expect(delays).toHaveLength(37)
  })

  it('retries every kind of failure', () => {
    for (const failure of ['no-connection', 'no-answer', 'error-status'] as const) {
      expect(nextRetryDelayMs(META_WEBHOOK_RETRY, failure, 0, 0)).toBe(15 * SECOND)
    }
  })
})

describe("Twilio's webhook retry default (rc=1, rp=ct)", () => {
  it('retries once, at once, only when the connection failed', () => {
    expect(retrySchedule(TWILIO_WEBHOOK_RETRY, 'no-connection')).toEqual([0])
    expect(retrySchedule(TWILIO_WEBHOOK_RETRY, 'error-status')).toEqual([])
    expect(retrySchedule(TWILIO_WEBHOOK_RETRY, 'no-answer')).toEqual([])
  })
})

describe('the fixed-attempts override (callbackMaxAttempts)', () => {
  it('is the old schedule: doubling from 100 ms, that many attempts in all', () => {
    expect(retrySchedule(fixedAttemptsRetry(4))).toEqual([100, 200, 400])
    expect(retrySchedule(fixedAttemptsRetry(1))).toEqual([])
    expect(retrySchedule(fixedAttemptsRetry(3), 'no-answer')).toEqual([100, 200])
  })
})
