import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { InvalidPhoneNumberError, OutsideCustomerServiceWindowError, ProviderError, type FetchFunction, type SendRateLimiter, createWhatsAppCloudClient } from '@banditore/providers'

const sender = { phoneNumberId: '106540352242922', accessToken: 'EAAG-calcinato-token' }
const recentInbound = { lastInboundAt: new Date(Date.now() - 60_000) }
let sim: RunningSimulator

beforeAll(async () => {
  sim = await startSimulator({
    whatsapp: [
      {
        ...sender,
        displayPhoneNumber: '+390306781234',
        throughputPerSecond: 1000,
        // The business account's approved templates: the Cloud API refuses any other (132001).
        templates: [
          { name: 'allerta_meteo', language: 'it', headerParameters: 1, bodyParameters: 2 },
          { name: 't', language: 'it' },
        ],
      },
    ],
  })
})
afterAll(() => sim.stop())
beforeEach(() => sim.reset())

/** Captures the JSON bodies the client sends while still sending them. */
function spyingFetch() {
  const bodies: Array<Record<string, unknown>> = []
  const urls: string[] = []
  const headers: Array<Record<string, string>> = []
  const fetchFn: FetchFunction = (input, init) => {
    urls.push(input)
    bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>)
    headers.push(init.headers as Record<string, string>)
    return fetch(input, init)
  }
  return { fetchFn, bodies, urls, headers }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the send to fail')
}

describe('WhatsApp Cloud API client against the simulator', () => {
  it('sends free text inside the window with the ledger id as biz_opaque_callback_data', async () => {
    const spy = spyingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    const result = await client.sendText({
      sender,
      to: '333 123 4567',
      body: 'La tua iscrizione è confermata',
      correlation: 'ledger-1',
      window: recentInbound,
    })
    expect(spy.urls).toEqual([`${sim.url}/v21.0/106540352242922/messages`])
    expect(spy.headers[0]?.authorization).toBe('Bearer EAAG-calcinato-token')
    expect(spy.bodies[0]).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '+393331234567',
      type: 'text',
      text: { preview_url: false, body: 'La tua iscrizione è confermata' },
      biz_opaque_callback_data: 'ledger-1',
    })
    expect(result).toEqual({ provider: 'whatsapp-cloud', providerMessageId: expect.stringMatching(/^wamid\./), to: '+393331234567', correlation: 'ledger-1' })
    expect(sim.messages()).toEqual([
      expect.objectContaining({ providerMessageId: result.providerMessageId, to: '+393331234567', type: 'text', correlation: 'ledger-1' }),
    ])
  })

  it('refuses free text and media outside the 24-hour window, before any request', async () => {
    const spy = spyingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    const stale = { lastInboundAt: new Date(Date.now() - 25 * 3600_000).toISOString() }
    const windows = [stale, { lastInboundAt: null }, { open: false }]
    for (const window of windows) {
      const error = await rejection(client.sendText({ sender, to: '+393331234567', body: 'ciao', correlation: 'l', window }))
      expect(error).toBeInstanceOf(OutsideCustomerServiceWindowError)
      expect((error as OutsideCustomerServiceWindowError).code).toBe('OUTSIDE_CUSTOMER_SERVICE_WINDOW')
    }
    const media = await rejection(
      client.sendMedia({ sender, to: '+393331234567', media: { kind: 'image', link: 'https://x.example/a.jpg' }, correlation: 'l', window: stale }),
    )
    expect(media).toBeInstanceOf(OutsideCustomerServiceWindowError)
    expect(spy.urls).toEqual([])
    expect(sim.messages()).toEqual([])
  })

  it('sends templates with header and body parameters', async () => {
    const spy = spyingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, apiVersion: 'v21.0', fetch: spy.fetchFn })
    await client.sendTemplate({
      sender,
      to: '+393331234567',
      correlation: 'b7:r1',
      template: {
        name: 'allerta_meteo',
        languageCode: 'it',
        header: [{ type: 'image', link: 'https://comune.example.it/allerta.png' }],
        body: [
          { type: 'text', text: 'arancione' },
          { type: 'date_time', fallbackValue: '12 febbraio 2025' },
        ],
      },
    })
    expect(spy.bodies[0]).toMatchObject({
      type: 'template',
      template: {
        name: 'allerta_meteo',
        language: { code: 'it' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://comune.example.it/allerta.png' } }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'arancione' },
              { type: 'date_time', date_time: { fallback_value: '12 febbraio 2025' } },
            ],
          },
        ],
      },
      biz_opaque_callback_data: 'b7:r1',
    })
    expect(sim.messages()[0]?.template).toEqual({ name: 'allerta_meteo', language: 'it' })
  })

  it('sends images and documents by link', async () => {
    const spy = spyingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    await client.sendMedia({
      sender,
      to: '+393331234567',
      correlation: 'm1',
      window: { open: true },
      media: { kind: 'document', link: 'https://comune.example.it/ordinanza.pdf', caption: 'Ordinanza', filename: 'ordinanza.pdf' },
    })
    await client.sendMedia({ sender, to: '+393331234567', correlation: 'm2', window: { open: true }, media: { kind: 'image', link: 'https://x.example/a.jpg' } })
    expect(spy.bodies.map((b) => [b.type, b[b.type as string]])).toEqual([
      ['document', { link: 'https://comune.example.it/ordinanza.pdf', caption: 'Ordinanza', filename: 'ordinanza.pdf' }],
      ['image', { link: 'https://x.example/a.jpg' }],
    ])
    expect(sim.messages().map((m) => m.type)).toEqual(['document', 'image'])
  })

  it('turns wrong credentials into a permanent 190 (Graph 401 OAuthException)', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const error = await rejection(
      client.sendTemplate({ sender: { ...sender, accessToken: 'wrong' }, to: '+393331234567', correlation: 'x', template: { name: 't', languageCode: 'it' } }),
    )
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ kind: 'permanent', providerCode: '190', httpStatus: 401, ambiguous: false })
    expect((error as ProviderError).cause).toMatchObject({ error: { type: 'OAuthException', code: 190, fbtrace_id: expect.any(String) } })
    const unknown = await rejection(
      client.sendTemplate({ sender: { ...sender, phoneNumberId: '999' }, to: '+393331234567', correlation: 'x', template: { name: 't', languageCode: 'it' } }),
    )
    expect(unknown).toMatchObject({ kind: 'permanent', providerCode: '100', httpStatus: 400 })
    expect(sim.stats().rejections.unauthorized).toBe(1)
  })

  it('refuses an invalid number with INVALID_PHONE_NUMBER and sends nothing', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const error = await rejection(client.sendTemplate({ sender, to: '12', correlation: 'x', template: { name: 't', languageCode: 'it' } }))
    expect(error).toBeInstanceOf(InvalidPhoneNumberError)
    expect(sim.stats().record.total).toBe(0)
  })

  it('reports the throughput cap as throttled 130429 and records only what fit', async () => {
    sim.setLimits({ sender: sender.phoneNumberId, throughputPerSecond: 5 })
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.sendTemplate({ sender, to: `+3933312345${10 + i}`, correlation: `c${i}`, template: { name: 't', languageCode: 'it' } }),
      ),
    )
    sim.setLimits({ sender: sender.phoneNumberId, throughputPerSecond: 1000 })
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as ProviderError)
    expect(refused).toHaveLength(3)
    for (const error of refused) expect(error).toMatchObject({ kind: 'throttled', providerCode: '130429', httpStatus: 400 })
    expect(sim.stats().record.total).toBe(5)
    expect(sim.stats().rejections.throttled).toBe(3)
  })

  it('reports the pair rate limit as throttled 131056, per recipient', async () => {
    sim.setLimits({ pairRatePerSecond: 0.1, pairBurst: 1 })
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const send = (to: string, correlation: string) =>
      client.sendTemplate({ sender, to, correlation, template: { name: 't', languageCode: 'it' } })
    try {
      await send('+393331234567', 'p1')
      const error = await rejection(send('+393331234567', 'p2'))
      expect(error).toMatchObject({ kind: 'throttled', providerCode: '131056' })
      await expect(send('+393331234568', 'p3')).resolves.toMatchObject({ to: '+393331234568' })
    } finally {
      // Back to the simulator's (Meta's) pair rate.
      sim.setLimits({ pairRatePerSecond: sim.simulator.options.pairRatePerSecond, pairBurst: sim.simulator.options.pairBurst })
    }
  })

  it('classifies injected provider errors', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const send = () => client.sendTemplate({ sender, to: '+393331234567', correlation: 'f', template: { name: 't', languageCode: 'it' } })
    const cases: Array<[number, string, number, boolean]> = [
      [131026, 'permanent', 400, false],
      [132001, 'permanent', 404, false],
      [131000, 'retryable', 500, true],
      [80007, 'throttled', 400, false],
    ]
    for (const [code, kind, httpStatus, ambiguous] of cases) {
      sim.setFaults({ rules: [{ action: 'error', errorCode: code }] })
      expect(await rejection(send())).toMatchObject({ kind, providerCode: String(code), httpStatus, ambiguous })
    }
    sim.setFaults({ rules: [{ action: 'error', errorCode: 130429, httpStatus: 429 }] })
    expect(await rejection(send())).toMatchObject({ kind: 'throttled', httpStatus: 429 })
    expect(sim.stats().record.total).toBe(0)
  })

  it('marks timeouts ambiguous; accept-then-timeout leaves the message recorded', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, timeoutMs: 150 })
    const send = (correlation: string) =>
      client.sendTemplate({ sender, to: '+393331234567', correlation, template: { name: 't', languageCode: 'it' } })
    sim.setFaults({ rules: [{ action: 'timeout', count: 1 }] })
    expect(await rejection(send('t1'))).toMatchObject({ kind: 'retryable', ambiguous: true })
    expect(sim.messages({ correlation: 't1' })).toEqual([])
    sim.setFaults({ rules: [{ action: 'accept-then-timeout', count: 1 }] })
    expect(await rejection(send('t2'))).toMatchObject({ kind: 'retryable', ambiguous: true })
    expect(sim.messages({ correlation: 't2' })).toHaveLength(1)
  })

  it('adds injected latency', async () => {
    sim.setFaults({ rules: [{ action: 'latency', latencyMs: 120 }] })
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const started = performance.now()
    await client.sendTemplate({ sender, to: '+393331234567', correlation: 'lat', template: { name: 't', languageCode: 'it' } })
    expect(performance.now() - started).toBeGreaterThanOrEqual(115)
  })

  it('reports an unreachable provider as retryable and not ambiguous', async () => {
    // A port that was free a moment ago: nothing listens there now.
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const client = createWhatsAppCloudClient({ baseUrl: `http://127.0.0.1:${port}` })
    const error = await rejection(client.sendTemplate({ sender, to: '+393331234567', correlation: 'n', template: { name: 't', languageCode: 'it' } }))
    expect(error).toMatchObject({ kind: 'retryable', ambiguous: false })
  })

  it('asks the rate limiter for the sender number, with the priority', async () => {
    const calls: Array<[string, string | undefined]> = []
    const limiter: SendRateLimiter = {
      acquire: async (key, options) => {
        calls.push([key, options?.priority])
      },
    }
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, rateLimiter: limiter })
    await client.sendTemplate({ sender, to: '+393331234567', correlation: 'e1', priority: 'emergency', template: { name: 't', languageCode: 'it' } })
    await client.sendText({ sender, to: '+393331234567', correlation: 'e2', body: 'ok', window: { open: true } })
    expect(calls).toEqual([
      ['whatsapp:106540352242922', 'emergency'],
      ['whatsapp:106540352242922', 'routine'],
    ])
  })
})
