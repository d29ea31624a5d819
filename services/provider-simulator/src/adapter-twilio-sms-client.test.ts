import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { startWebhookCapture } from '@banditore/providers/testing'
import { parseFormBody, InvalidPhoneNumberError, ProviderError, type FetchFunction, createTwilioSmsClient, statusCallbackUrlFor } from '@banditore/providers'

const account = { accountSid: 'AC1f2e3d4c5b6a79880716253443526170', authToken: 'f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8' }
const tenantNumber = '+390306781234'
let sim: RunningSimulator
let capture: Awaited<ReturnType<typeof startWebhookCapture>>
let statusCallbackUrl: string

beforeAll(async () => {
  capture = await startWebhookCapture()
  statusCallbackUrl = `${capture.origin}/webhooks/sms/status?tenant=calcinato`
  sim = await startSimulator({
    twilio: [{ ...account, numbers: [{ number: tenantNumber, smsUrl: `${capture.origin}/webhooks/sms`, throughputPerSecond: 1000 }] }],
    smsStatuses: [],
  })
})
afterAll(async () => {
  await sim.stop()
  await capture.close()
})
beforeEach(() => sim.reset())

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the send to fail')
}

describe('Twilio-compatible SMS client against the simulator', () => {
  it('posts the form with basic auth; the correlation rides on the StatusCallback URL', async () => {
    const sent: Array<{ url: string; body: Record<string, string | string[]>; authorization: string }> = []
    const fetchFn: FetchFunction = (input, init) => {
      const headers = init.headers as Record<string, string>
      sent.push({ url: input, body: parseFormBody(String(init.body)), authorization: headers.authorization ?? '' })
      return fetch(input, init)
    }
    const client = createTwilioSmsClient({ baseUrl: sim.url, fetch: fetchFn })
    const result = await client.sendSms({
      account,
      from: tenantNumber,
      to: '333 123 4567',
      body: 'Avviso: strada chiusa',
      mediaUrls: ['https://comune.example.it/mappa.png', 'https://comune.example.it/ordinanza.pdf'],
      statusCallbackUrl,
      correlation: 'ledger-7',
    })
    expect(sent[0]?.url).toBe(`${sim.url}/2010-04-01/Accounts/${account.accountSid}/Messages.json`)
    expect(sent[0]?.authorization).toBe(`Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`)
    expect(sent[0]?.body).toEqual({
      To: '+393331234567',
      From: tenantNumber,
      Body: 'Avviso: strada chiusa',
      StatusCallback: `${capture.origin}/webhooks/sms/status?tenant=calcinato&correlation=ledger-7`,
      MediaUrl: ['https://comune.example.it/mappa.png', 'https://comune.example.it/ordinanza.pdf'],
    })
    expect(result).toEqual({ provider: 'sms-gateway', providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/), to: '+393331234567', correlation: 'ledger-7' })
    expect(sim.messages()).toEqual([
      expect.objectContaining({ provider: 'sms-gateway', sender: tenantNumber, to: '+393331234567', correlation: 'ledger-7', text: 'Avviso: strada chiusa' }),
    ])
  })

  it('builds callback URLs that keep their own query', () => {
    expect(statusCallbackUrlFor('https://x.example/s?tenant=a', 'b 1/2')).toBe('https://x.example/s?tenant=a&correlation=b+1%2F2')
  })

  it('turns wrong credentials into a permanent 20003 (HTTP 401)', async () => {
    const client = createTwilioSmsClient({ baseUrl: sim.url })
    const error = await rejection(
      client.sendSms({ account: { ...account, authToken: 'wrong' }, from: tenantNumber, to: '+393331234567', body: 'x', statusCallbackUrl, correlation: 'c' }),
    )
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ kind: 'permanent', providerCode: '20003', httpStatus: 401, provider: 'sms-gateway' })
    expect((error as ProviderError).cause).toMatchObject({ code: 20003, status: 401, more_info: 'https://www.twilio.com/docs/errors/20003' })
  })

  it('refuses a From the account does not own (21606) and an invalid To before sending', async () => {
    const client = createTwilioSmsClient({ baseUrl: sim.url })
    const wrongFrom = await rejection(client.sendSms({ account, from: '+390306789999', to: '+393331234567', body: 'x', statusCallbackUrl, correlation: 'c' }))
    expect(wrongFrom).toMatchObject({ kind: 'permanent', providerCode: '21606' })
    const invalidTo = await rejection(client.sendSms({ account, from: tenantNumber, to: '+39 12', body: 'x', statusCallbackUrl, correlation: 'c' }))
    expect(invalidTo).toBeInstanceOf(InvalidPhoneNumberError)
  })

  it('answers an invalid To with 21211 in Twilio’s error shape', async () => {
    const response = await sim.app.inject({
      method: 'POST',
      url: `/2010-04-01/Accounts/${account.accountSid}/Messages.json`,
      headers: {
        authorization: `Basic ${Buffer.from(`${account.accountSid}:${account.authToken}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ To: '+3912', From: tenantNumber, Body: 'x' }).toString(),
    })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toEqual({
      code: 21211,
      message: "The 'To' number +3912 is not a valid phone number.",
      more_info: 'https://www.twilio.com/docs/errors/21211',
      status: 400,
    })
  })

  it('reports the throughput cap as throttled 20429 (HTTP 429)', async () => {
    sim.setLimits({ sender: tenantNumber, throughputPerSecond: 3 })
    const client = createTwilioSmsClient({ baseUrl: sim.url })
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        client.sendSms({ account, from: tenantNumber, to: `+3933312345${10 + i}`, body: 'x', statusCallbackUrl, correlation: `c${i}` }),
      ),
    )
    sim.setLimits({ sender: tenantNumber, throughputPerSecond: 1000 })
    const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as ProviderError] : []))
    expect(refused.map((e) => [e.kind, e.providerCode, e.httpStatus])).toEqual([
      ['throttled', '20429', 429],
      ['throttled', '20429', 429],
    ])
    expect(sim.stats().record.total).toBe(3)
  })

  it('honours STOP like the gateway does (21610), until START', async () => {
    const client = createTwilioSmsClient({ baseUrl: sim.url })
    const send = () => client.sendSms({ account, from: tenantNumber, to: '+393331234567', body: 'Avviso', statusCallbackUrl, correlation: 's' })
    const stop = await sim.injectSms({ to: tenantNumber, from: '+393331234567', body: 'stop' })
    expect(stop).toMatchObject({ optOutType: 'STOP', delivery: { ok: true } })
    expect(await rejection(send())).toMatchObject({ kind: 'permanent', providerCode: '21610' })
    expect(sim.stats().rejections.optedOut).toBe(1)
    await sim.injectSms({ to: tenantNumber, from: '+393331234567', body: 'START' })
    await expect(send()).resolves.toMatchObject({ to: '+393331234567' })
  })
})
