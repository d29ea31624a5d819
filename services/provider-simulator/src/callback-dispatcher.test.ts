import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { CallbackDispatcher, type CallbackDispatcherOptions, type CallbackJob } from './callback-dispatcher.js'
import { META_WEBHOOK_RETRY, retrySchedule } from './webhook-retry-policy.js'

/** A webhook receiver that records when each POST arrived (performance.now(), ms) and answers `status()`. */
async function startReceiver(status: (attempt: number) => number, port = 0) {
  const arrivals: number[] = []
  const server: Server = createServer((request, response) => {
    request.resume()
    request.on('end', () => {
      arrivals.push(performance.now())
      response.writeHead(status(arrivals.length)).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook`,
    port: (server.address() as AddressInfo).port,
    arrivals,
    /** Gaps between consecutive arrivals, ms. */
    gaps: () => arrivals.slice(1).map((at, i) => at - arrivals[i]!),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** A local port nothing listens on (for now): connections to it are refused. */
async function closedPort(): Promise<number> {
  const probe = await startReceiver(() => 200)
  await probe.close()
  return probe.port
}

const job = (provider: CallbackJob['provider'], url: string): CallbackJob => ({ provider, url, body: '{}', headers: { 'content-type': 'application/json' } })

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

function dispatcher(options: Partial<CallbackDispatcherOptions> = {}) {
  const created = new CallbackDispatcher({ concurrency: 4, timeoutMs: 2000, ...options })
  cleanups.push(() => created.close())
  return created
}

async function receiver(status: (attempt: number) => number, port?: number) {
  const started = await startReceiver(status, port)
  cleanups.push(() => started.close())
  return started
}

describe('webhook retries, WhatsApp (Meta: exponential backoff for up to 7 days)', () => {
  it('delivers a webhook once the receiver answers again, after retries spaced as the schedule says', async () => {
    // 600 provider ms per real ms: the retries 15 s, 30 s, 60 s, 120 s later come 25, 50, 100, 200 ms later.
    const timeScale = 600
    const ingest = await receiver((attempt) => (attempt <= 4 ? 500 : 200))
    const callbacks = dispatcher({ timeScale })
    callbacks.enqueue(job('whatsapp-cloud', ingest.url))

    await expect.poll(() => callbacks.stats().retrying).toBe(1)
    await expect.poll(() => callbacks.stats().deliveredAfterRetry, { timeout: 5000 }).toBe(1)
    expect(callbacks.stats()).toMatchObject({ delivered: 1, failed: 0, attempts: 5, retrying: 0, pending: 0 })

    const expected = retrySchedule(META_WEBHOOK_RETRY).slice(0, 4).map((delay) => delay / timeScale)
    const gaps = ingest.gaps()
    expect(gaps).toHaveLength(4)
    gaps.forEach((gap, i) => {
      // Never early (a timer may round down by a millisecond); late only by scheduling noise.
      expect(gap).toBeGreaterThanOrEqual(expected[i]! - 2)
      expect(gap).toBeLessThan(expected[i]! + 250)
    })
    // The shape: each wait about twice the one before.
    expect(gaps[3]! / gaps[0]!).toBeGreaterThan(3)
  })

  it('delivers a webhook whose receiver refused connections for a while, once it listens again', async () => {
    const port = await closedPort()
    const callbacks = dispatcher({ timeScale: 600 })
    callbacks.enqueue(job('whatsapp-cloud', `http://127.0.0.1:${port}/webhook`))
    // Three refused attempts (15 s, 30 s of provider time apart: 25 ms, 50 ms), still retrying.
    await expect.poll(() => callbacks.stats().attempts).toBeGreaterThanOrEqual(3)
    expect(callbacks.stats()).toMatchObject({ delivered: 0, failed: 0, retrying: 1 })

    // The receiver is back on its port (the test's own, just released: nothing else took it).
    const ingest = await receiver(() => 200, port)
    await expect.poll(() => callbacks.stats().deliveredAfterRetry, { timeout: 5000 }).toBe(1)
    expect(ingest.arrivals).toHaveLength(1)
    expect(callbacks.stats()).toMatchObject({ failed: 0, pending: 0 })
  })

  it("gives up after 7 days of provider time: Meta's whole schedule in well under a second", async () => {
    // 1.2 million provider ms per real ms: 7 days in about half a second.
    const ingest = await receiver(() => 500)
    const callbacks = dispatcher({ timeScale: 1_200_000 })
    const outcome = await callbacks.deliver(job('whatsapp-cloud', ingest.url))
    const schedule = retrySchedule(META_WEBHOOK_RETRY)
    expect(outcome).toEqual({ ok: false, status: 500, attempts: schedule.length + 1 })
    expect(ingest.arrivals).toHaveLength(schedule.length + 1)
    // The last waits (6 h each, 18 ms here) are far longer than the first (15 s, a timer's minimum).
    expect(ingest.gaps().at(-1)).toBeGreaterThanOrEqual(6 * 3600_000 / 1_200_000 - 2)
    await callbacks.settle()
    expect(callbacks.stats()).toMatchObject({ failed: 1, retrying: 0, pending: 0 })
  })
})

describe("webhook retries, SMS (Twilio's default: one retry, on connection failures only)", () => {
  it('does not retry a callback the receiver answered with 500', async () => {
    const ingest = await receiver(() => 500)
    const callbacks = dispatcher({ timeScale: 3600 })
    expect(await callbacks.deliver(job('twilio', ingest.url))).toEqual({ ok: false, status: 500, attempts: 1 })
    expect(ingest.arrivals).toHaveLength(1)
    await callbacks.settle()
    expect(callbacks.stats()).toMatchObject({ failed: 1, retrying: 0, pending: 0 })
  })

  it('retries a refused connection once, then gives the callback up', async () => {
    const port = await closedPort()
    const callbacks = dispatcher()
    expect(await callbacks.deliver(job('twilio', `http://127.0.0.1:${port}/status`))).toEqual({ ok: false, attempts: 2 })
    await callbacks.settle()
    expect(callbacks.stats()).toMatchObject({ failed: 1, attempts: 2, retrying: 0, pending: 0 })
  })
})

describe('pending retries and shutdown', () => {
  it('clears long retry timers on close and answers whoever waits for the outcome', async () => {
    // Real time: the next retry would be 15 s away.
    const ingest = await receiver(() => 503)
    const callbacks = dispatcher()
    const outcome = callbacks.deliver(job('whatsapp-cloud', ingest.url))
    await expect.poll(() => callbacks.stats().retrying).toBe(1)
    const settled = callbacks.settle()
    callbacks.close()
    await expect(outcome).resolves.toEqual({ ok: false, status: 503, attempts: 1 })
    await settled
    expect(callbacks.stats()).toMatchObject({ retrying: 0, pending: 0 })
  })

  it('keeps at most maxRetrying webhooks waiting for a retry, giving up the ones past it', async () => {
    const ingest = await receiver(() => 500)
    const callbacks = dispatcher({ maxRetrying: 2 })
    for (let i = 0; i < 3; i++) callbacks.enqueue(job('whatsapp-cloud', ingest.url))
    await expect.poll(() => callbacks.stats().failed).toBe(1)
    expect(callbacks.stats()).toMatchObject({ retryOverflow: 1, retrying: 2, attempts: 3 })
  })
})
