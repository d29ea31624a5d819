import { describe, expect, it } from 'vitest'
import { InvalidPhoneNumberError } from './phone-number.js'
import type { FetchFunction } from './provider-request.js'
import { createTwilioSmsClient } from './twilio-sms-client.js'
import { createWhatsAppCloudClient } from './whatsapp-cloud-client.js'

/*
 * The request bodies the client writes, without a provider: a fetch that records each body and
 * answers as the Cloud API accepts a send. (Sends against the simulator live in
 * services/provider-simulator/src/adapter-whatsapp-*.test.ts.)
 */

const sender = { phoneNumberId: '100000000000002', accessToken: 'EAAG-calcinato' }

function recordingClient() {
  const bodies: Array<Record<string, unknown>> = []
  const fetchFn: FetchFunction = async (_url, init) => {
    bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>)
    return new Response(JSON.stringify({ messaging_product: 'whatsapp', messages: [{ id: 'wamid.TEST', message_status: 'accepted' }] }), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  return { client: createWhatsAppCloudClient({ baseUrl: 'http://graph.test', fetch: fetchFn }), bodies }
}

describe('WhatsApp Cloud API client: template quick-reply buttons', () => {
  it("sends each button's payload as a quick_reply button component, indexed in order, after header and body", async () => {
    const { client, bodies } = recordingClient()
    const pollId = '0f8b8f0e-2b3c-4d5e-8f90-123456789abc'
    const result = await client.sendTemplate({
      sender,
      to: '+393331234567',
      correlation: 'alert-1:r1',
      template: {
        name: 'allerta_sondaggio',
        languageCode: 'it',
        body: [{ type: 'text', text: 'Allerta: esondazione' }],
        buttons: [{ payload: `poll:${pollId}:ok` }, { payload: `poll:${pollId}:help` }],
      },
    })
    expect(result.providerMessageId).toBe('wamid.TEST')
    expect(bodies[0]?.template).toEqual({
      name: 'allerta_sondaggio',
      language: { code: 'it' },
      components: [
        { type: 'body', parameters: [{ type: 'text', text: 'Allerta: esondazione' }] },
        { type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: `poll:${pollId}:ok` }] },
        { type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: `poll:${pollId}:help` }] },
      ],
    })
  })

  it('sends buttons alone, and no button component without buttons', async () => {
    const { client, bodies } = recordingClient()
    await client.sendTemplate({ sender, to: '+393331234567', correlation: 'a', template: { name: 'sondaggio', languageCode: 'fr', buttons: [{ payload: 'p0' }] } })
    await client.sendTemplate({ sender, to: '+393331234567', correlation: 'b', template: { name: 'avviso', languageCode: 'it', buttons: [] } })
    expect(bodies[0]?.template).toEqual({
      name: 'sondaggio',
      language: { code: 'fr' },
      components: [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'p0' }] }],
    })
    expect(bodies[1]?.template).toEqual({ name: 'avviso', language: { code: 'it' } })
  })
})

describe('WhatsApp Cloud API client: business-scoped user ids', () => {
  it('sends to a BSUID in `recipient` (never `to`), and to a number in `to`', async () => {
    const { client, bodies } = recordingClient()
    const result = await client.sendText({ sender, to: 'IT.13491208655302741918', body: 'Benvenuto', correlation: 'r1', window: { open: true } })
    await client.sendText({ sender, to: '+393331234567', body: 'Benvenuto', correlation: 'r2', window: { open: true } })
    expect(result.to).toBe('IT.13491208655302741918')
    expect(bodies[0]).toMatchObject({ recipient_type: 'individual', recipient: 'IT.13491208655302741918' })
    expect(bodies[0]).not.toHaveProperty('to')
    expect(bodies[1]).toMatchObject({ to: '+393331234567' })
    expect(bodies[1]).not.toHaveProperty('recipient')
  })
})

describe('SMS client: a BSUID is no number', () => {
  it('refuses to text a BSUID without asking the gateway', async () => {
    let requests = 0
    const sms = createTwilioSmsClient({ baseUrl: 'http://sms.test', fetch: async () => { requests += 1; return new Response('{}') } })
    const send = sms.sendSms({ account: { accountSid: 'AC1', authToken: 't' }, from: '+390362000001', to: 'IT.1234', body: 'x', statusCallbackUrl: 'http://cb.test/s', correlation: 'c' })
    await expect(send).rejects.toBeInstanceOf(InvalidPhoneNumberError)
    expect(requests).toBe(0)
  })
})
