import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { maxPerSlidingWindow } from './message-record.js'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { ProviderError, createWhatsAppCloudClient, type SendResult } from '@banditore/providers'
import { TokenBucketRateLimiter } from '@banditore/providers/testing'

const CAP_PER_SECOND = 500
const MESSAGES = 10_000
/**
 * Sends in flight at once. The provider counts arrivals, so a window it sees can hold the
 * limiter's grants (≤ burst + rate·1 s = 95% of the cap) plus sends granted earlier and still in
 * flight: keeping those ≤ cap × headroom (25 here) makes exceeding the cap impossible, not just
 * unlikely. At ~1 ms per local request, 24 workers sustain the rate easily.
 */
const CONCURRENCY = 24
const sender = { phoneNumberId: '117840291837465', accessToken: 'EAAG-bench-token' }

let sim: RunningSimulator

beforeAll(async () => {
  // Real HTTP on 127.0.0.1; the simulator enforces the cap (130429 beyond it).
  sim = await startSimulator({
    whatsapp: [
      {
        ...sender,
        displayPhoneNumber: '+390306781234',
        throughputPerSecond: CAP_PER_SECOND,
        templates: [{ name: 'avviso_viabilita', language: 'it', bodyParameters: 1 }],
      },
    ],
  })
})
afterAll(() => sim.stop())

describe('sending at the provider cap', () => {
  it(
    `sends ${MESSAGES} messages at ${CAP_PER_SECOND}/s: never above the cap in any sliding second, each recorded exactly once`,
    async () => {
      const limiter = TokenBucketRateLimiter.forProviderCap(CAP_PER_SECOND)
      const client = createWhatsAppCloudClient({ baseUrl: sim.url, rateLimiter: limiter })
      // Distinct, valid Italian mobile numbers: +39 333 100 0000 … +39 333 100 9999.
      const recipients = Array.from({ length: MESSAGES }, (_, i) => `+393331${String(i).padStart(6, '0')}`)
      const results: SendResult[] = []
      let throttledRetries = 0
      let next = 0
      const started = performance.now()

      // Workers like the broadcast activity's: each send waits for the limiter, then the provider.
      async function worker() {
        while (next < MESSAGES) {
          const i = next++
          for (;;) {
            try {
              results.push(
                await client.sendTemplate({
                  sender,
                  to: recipients[i] ?? '',
                  correlation: `broadcast-42:${i}`,
                  template: { name: 'avviso_viabilita', languageCode: 'it', body: [{ type: 'text', text: `#${i}` }] },
                }),
              )
              break
            } catch (error) {
              // A throttled send was refused, not sent: retrying it cannot duplicate.
              if (error instanceof ProviderError && error.kind === 'throttled') {
                throttledRetries++
                await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 100))
                continue
              }
              throw error
            }
          }
        }
      }
      await Promise.all(Array.from({ length: CONCURRENCY }, worker))
      const elapsedMs = performance.now() - started

      // Every send answered with its own provider message id.
      expect(results).toHaveLength(MESSAGES)
      expect(new Set(results.map((r) => r.providerMessageId)).size).toBe(MESSAGES)

      // The simulator's record: each correlation and each recipient exactly once.
      const recorded = sim.messages({ correlationPrefix: 'broadcast-42:' })
      expect(recorded).toHaveLength(MESSAGES)
      const perCorrelation = new Map<string, number>()
      for (const message of recorded) perCorrelation.set(message.correlation ?? '', (perCorrelation.get(message.correlation ?? '') ?? 0) + 1)
      expect(perCorrelation.size).toBe(MESSAGES)
      expect([...perCorrelation.values()].every((count) => count === 1)).toBe(true)
      for (let i = 0; i < MESSAGES; i++) expect(perCorrelation.has(`broadcast-42:${i}`)).toBe(true)
      expect(new Set(recorded.map((m) => m.to))).toEqual(new Set(recipients))
      expect(sim.stats({ correlationPrefix: 'broadcast-42:' }).record).toMatchObject({
        total: MESSAGES,
        distinctCorrelations: MESSAGES,
        duplicateMessages: 0,
        distinctRecipients: MESSAGES,
        recipientsWithSeveral: 0,
      })

      // The cap: the busiest sliding second, computed from the record's accept times.
      const busiest = maxPerSlidingWindow(recorded, 1000)[sender.phoneNumberId] ?? 0
      expect(busiest).toBeLessThanOrEqual(CAP_PER_SECOND)
      expect(sim.maxInWindow(1000)[sender.phoneNumberId]).toBe(busiest)
      // The adapter's limiter kept us under the cap on its own: the provider refused nothing.
      expect(sim.stats().rejections.throttled).toBe(0)
      expect(throttledRetries).toBe(0)
      // ...while running close to it (the test is only meaningful near the cap).
      expect(busiest).toBeGreaterThanOrEqual(CAP_PER_SECOND * 0.8)
      expect(elapsedMs).toBeGreaterThanOrEqual(((MESSAGES - CAP_PER_SECOND) / CAP_PER_SECOND) * 1000)
    },
    60_000,
  )
})
