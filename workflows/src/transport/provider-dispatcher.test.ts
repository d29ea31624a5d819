import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createWhatsAppCloudClient, DispatchSlotMissedError, ProviderError, type DispatchSlot, type SendRateLimiter } from '@banditore/providers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createProviderDispatcher, type ProviderDispatcher } from './provider-dispatcher.js'

const clock = () => performance.timeOrigin + performance.now()

/** A provider stand-in that records when each request arrived (same clock as the slots). */
function startRecordingServer() {
  const arrivals: Array<{ at: number; body: string }> = []
  let answer: (res: http.ServerResponse) => void = (res) => {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: `wamid.${arrivals.length}` }] }))
  }
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      arrivals.push({ at: clock(), body: Buffer.concat(chunks).toString('utf8') })
      answer(res)
    })
  })
  return {
    arrivals,
    server,
    answerWith(next: (res: http.ServerResponse) => void) {
      answer = next
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    },
  }
}

describe('the provider dispatch thread', () => {
  const provider = startRecordingServer()
  let url: string
  let dispatcher: ProviderDispatcher

  beforeAll(async () => {
    url = await provider.listen()
    dispatcher = createProviderDispatcher()
    await dispatcher.ready()
  })
  afterAll(async () => {
    await dispatcher.close()
    provider.server.close()
  })
  /** A request through the same thread, answered: what the thread was to write before it is written. */
  const barrier = async (at?: number) => {
    const response = await dispatcher(`${url}/m`, { method: 'POST', body: 'barrier', ...(at ? { dispatch: { at, lateMs: 60_000 } } : {}) })
    await response.text()
  }

  it('writes each request at its slot, not before, and answers with status, headers and body', async () => {
    provider.arrivals.length = 0
    const start = clock() + 100
    const slots = [0, 40, 80].map((offset) => start + offset)
    // A generous tolerance: how late a busy machine writes is measured by the broadcast
    // benchmark; what must always hold is that nothing leaves before its slot.
    const responses = await Promise.all(
      slots.map((at, i) =>
        dispatcher(`${url}/m`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `m${i}`, dispatch: { at, lateMs: 60_000, senderKey: 'whatsapp:test' } }),
      ),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200])
    expect(responses[0]?.headers.get('content-type')).toBe('application/json')
    expect(await responses[2]?.json()).toMatchObject({ messages: [{ id: expect.stringMatching(/^wamid\./) }] })
    const byBody = new Map(provider.arrivals.map((a) => [a.body, a.at]))
    slots.forEach((at, i) => {
      const arrived = byBody.get(`m${i}`) as number
      // Timers wake a millisecond early by design; the request cannot leave earlier than that.
      expect(arrived).toBeGreaterThanOrEqual(at - 1.5)
    })
    expect(provider.arrivals.map((a) => a.body)).toEqual(['m0', 'm1', 'm2'])
    // The thread counts what it wrote per sender in any second: three requests 80 ms apart.
    expect(await dispatcher.writtenPerSecond()).toEqual({ 'whatsapp:test': 3 })
  })

  it('does not write a request it reaches later than its slot allows, and says so', async () => {
    provider.arrivals.length = 0
    const late = dispatcher(`${url}/m`, { method: 'POST', body: 'too-late', dispatch: { at: clock() - 30, lateMs: 5 } })
    await expect(late).rejects.toBeInstanceOf(DispatchSlotMissedError)
    await expect(late).rejects.toMatchObject({ code: 'DISPATCH_SLOT_MISSED' })
    await barrier()
    expect(provider.arrivals.map((a) => a.body)).toEqual(['barrier'])
    expect(dispatcher.stats().missed).toBeGreaterThanOrEqual(1)
  })

  it('drops a request aborted before its slot: nothing reaches the provider', async () => {
    provider.arrivals.length = 0
    const controller = new AbortController()
    const pending = dispatcher(`${url}/m`, { method: 'POST', body: 'aborted', signal: controller.signal, dispatch: { at: clock() + 150, lateMs: 5 } })
    controller.abort(new DOMException('no answer in time', 'TimeoutError'))
    await expect(pending).rejects.toMatchObject({ name: 'TimeoutError' })
    // Past the slot the aborted request had: had it been written, it would be before the barrier.
    await barrier(clock() + 200)
    expect(provider.arrivals.map((a) => a.body)).toEqual(['barrier'])
  })

  it('keeps Node’s error codes, so a refused connection counts as not sent', async () => {
    const closed = http.createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    const client = createWhatsAppCloudClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: dispatcher })
    const error = await client
      .sendTemplate({ sender: { phoneNumberId: '1', accessToken: 't' }, to: '+393471234567', correlation: 'c', template: { name: 'x', languageCode: 'it' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ kind: 'retryable', ambiguous: false })
  })

  it('lets an adapter take the next slot when one was missed, first in line', async () => {
    provider.arrivals.length = 0
    provider.answerWith((res) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.retried' }] }))
    })
    const asked: Array<{ retry: boolean }> = []
    // The first slot is already gone when it is handed over; the second is in time.
    const limiter: SendRateLimiter = {
      acquire: () => Promise.reject(new Error('a slot-dispatching transport reserves')),
      reserve: (_key, options): Promise<DispatchSlot> => {
        asked.push({ retry: options?.retry === true })
        return Promise.resolve(asked.length === 1 ? { at: clock() - 100, lateMs: 5 } : { at: clock() + 20, lateMs: 50 })
      },
    }
    const client = createWhatsAppCloudClient({ baseUrl: url, fetch: dispatcher, rateLimiter: limiter })
    const result = await client.sendTemplate({ sender: { phoneNumberId: '1', accessToken: 't' }, to: '+393471234567', correlation: 'c', template: { name: 'x', languageCode: 'it' } })
    expect(result.providerMessageId).toBe('wamid.retried')
    expect(asked).toEqual([{ retry: false }, { retry: true }])
    expect(provider.arrivals).toHaveLength(1)
  })

  it('gives up after slots missed in a row, as not sent', async () => {
    provider.arrivals.length = 0
    const limiter: SendRateLimiter = {
      acquire: () => Promise.reject(new Error('unused')),
      reserve: () => Promise.resolve({ at: clock() - 100, lateMs: 5 }),
    }
    const client = createWhatsAppCloudClient({ baseUrl: url, fetch: dispatcher, rateLimiter: limiter })
    const error = await client
      .sendTemplate({ sender: { phoneNumberId: '1', accessToken: 't' }, to: '+393471234567', correlation: 'c', template: { name: 'x', languageCode: 'it' } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ kind: 'retryable', ambiguous: false })
    expect(provider.arrivals).toEqual([])
  })

  it('refuses requests once closed', async () => {
    const closing = createProviderDispatcher()
    await closing.ready()
    await closing.close()
    await expect(closing(`${url}/m`, { method: 'POST', body: 'x' })).rejects.toThrow(/closed/)
  })
})
