import { describe, expect, it } from 'vitest'
import { fixtureText } from './fixtures/fixture-loader.js'
import { parseFormBody } from './form-params.js'
import { toDeliveryStatus, toInboundMessage } from './provider-events.js'
import { parseTwilioWebhook } from './twilio-webhook-parser.js'
import { WebhookPayloadError } from './webhook-payload-error.js'

const receivedAt = new Date('2025-02-11T12:03:00.000Z')
const statusUrl = 'https://banditore.example.it/webhooks/sms/status?correlation=ledger-0099'
const form = (name: string) => parseFormBody(fixtureText(`${name}.form`))

describe('parseTwilioWebhook: inbound', () => {
  it('SMS: text, E.164 numbers, receiver account, contract-valid', () => {
    const parsed = parseTwilioWebhook(form('twilio-inbound-sms'), { receivedAt })
    expect(parsed.statuses).toEqual([])
    const [event] = parsed.messages
    if (!event) throw new Error('no message')
    expect(event.receiver).toEqual({
      channel: 'sms',
      provider: 'sms-gateway',
      number: '+390306781234',
      accountSid: 'AC1f2e3d4c5b6a79880716253443526170',
    })
    expect(event.message).toEqual({
      id: 'sms-gateway:SM9a8b7c6d5e4f30211203f4e5d6c7b8a9',
      channel: 'sms',
      provider: 'sms-gateway',
      providerMessageId: 'SM9a8b7c6d5e4f30211203f4e5d6c7b8a9',
      from: '+393331234567',
      to: '+390306781234',
      type: 'text',
      text: 'ISCRIZIONE Mario Rossi, via Garibaldi 3',
      sentAt: receivedAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
    })
    expect(event.extras).toEqual({})
    expect(toInboundMessage(event, 'calcinato').channel).toBe('sms')
  })

  it('MMS: every MediaUrlN with its content type', () => {
    const [event] = parseTwilioWebhook(form('twilio-inbound-mms'), { receivedAt }).messages
    expect(event?.message.type).toBe('image')
    expect(event?.message.text).toBe('Segnalazione: lampione spento')
    expect(event?.message.media).toEqual([
      { kind: 'image', ref: expect.stringMatching(/\/Media\/ME0a1b/), mimeType: 'image/jpeg' },
      { kind: 'document', ref: expect.stringMatching(/\/Media\/ME1a1b/), mimeType: 'application/pdf' },
    ])
  })

  it('STOP with OptOutType', () => {
    const [event] = parseTwilioWebhook(form('twilio-inbound-stop'), { receivedAt }).messages
    expect(event?.message.text).toBe('STOP')
    expect(event?.extras.optOut).toBe('STOP')
    // And it reaches the contract, for subscriptions to follow the gateway.
    expect(toInboundMessage(event!, 'corbetta').gatewayOptOut).toBe('STOP')
  })

  it('an account-configured opt-out word: the gateway says STOP whatever the body', () => {
    const params = { ...form('twilio-inbound-stop'), Body: 'Arrivederci' }
    const [event] = parseTwilioWebhook(params, { receivedAt }).messages
    expect(toInboundMessage(event!, 'corbetta')).toMatchObject({ text: 'Arrivederci', gatewayOptOut: 'STOP' })
    expect(toInboundMessage(parseTwilioWebhook(form('twilio-inbound-sms'), { receivedAt }).messages[0]!, 'corbetta').gatewayOptOut).toBeUndefined()
  })

  it('NFC-normalizes the body', () => {
    const params = { ...form('twilio-inbound-sms'), Body: 'citta\u0300' }
    expect(parseTwilioWebhook(params).messages[0]?.message.text).toBe('citt\u00e0')
  })

  it('refuses a webhook without sender', () => {
    const { From: _from, ...params } = form('twilio-inbound-sms')
    expect(() => parseTwilioWebhook(params)).toThrow(WebhookPayloadError)
  })
})

describe('parseTwilioWebhook: status callbacks', () => {
  it.each([
    ['twilio-status-sent', 'sent', undefined],
    ['twilio-status-delivered', 'delivered', undefined],
  ])('%s → %s, correlation from the callback URL', (name, state) => {
    const parsed = parseTwilioWebhook(form(name), { url: statusUrl, receivedAt })
    expect(parsed.messages).toEqual([])
    const [event] = parsed.statuses
    if (!event) throw new Error('no status')
    expect(event.sender).toEqual({
      channel: 'sms',
      provider: 'sms-gateway',
      number: '+390306781234',
      accountSid: 'AC1f2e3d4c5b6a79880716253443526170',
    })
    expect(event.status).toEqual({
      id: `sms-gateway:SM9a8b7c6d5e4f30211203f4e5d6c7b8a9:${state}`,
      channel: 'sms',
      provider: 'sms-gateway',
      providerMessageId: 'SM9a8b7c6d5e4f30211203f4e5d6c7b8a9',
      state,
      recipient: '+393331234567',
      correlation: 'ledger-0099',
      occurredAt: receivedAt.toISOString(),
      receivedAt: receivedAt.toISOString(),
    })
    expect(toDeliveryStatus(event, 'calcinato').correlation).toBe('ledger-0099')
  })

  it.each([
    // 30003: the handset is unreachable (off, no signal); Twilio advises retrying.
    ['twilio-status-undelivered', 'undelivered', '30003', 'retryable'],
    ['twilio-status-failed', 'failed', '30007', 'permanent'],
  ])('%s → failed with ErrorCode %s, %s', (name, providerState, code, kind) => {
    const [event] = parseTwilioWebhook(form(name), { url: statusUrl, receivedAt }).statuses
    expect(event?.providerState).toBe(providerState)
    expect(event?.status.state).toBe('failed')
    expect(event?.status.error).toEqual({ code })
    expect(event?.errorKind).toBe(kind)
  })

  it('has no correlation when the URL carries none', () => {
    const [event] = parseTwilioWebhook(form('twilio-status-sent'), { url: 'https://x.example/status' }).statuses
    expect(event?.status.correlation).toBeUndefined()
  })

  it('reads the status of an SMS sent from an alphanumeric sender ID, and refuses a From that is neither', () => {
    const params = { ...form('twilio-status-sent'), From: 'ComCorbetta' }
    const [event] = parseTwilioWebhook(params, { url: statusUrl, receivedAt }).statuses
    expect(event?.sender).toMatchObject({ channel: 'sms', number: 'ComCorbetta' })
    expect(event?.status).toMatchObject({ state: 'sent', recipient: '+393331234567', correlation: 'ledger-0099' })
    // Digits only, or longer than 11 characters: not a sender ID the gateway would accept.
    for (const From of ['12345', 'Comune di Corbetta', 'Comune-Borgo']) {
      expect(() => parseTwilioWebhook({ ...params, From })).toThrow(/\/From.*neither a phone number nor an alphanumeric sender ID/)
    }
  })

  it('maps queued to accepted and refuses unknown states', () => {
    const params = { ...form('twilio-status-sent'), MessageStatus: 'queued', SmsStatus: 'queued' }
    expect(parseTwilioWebhook(params).statuses[0]?.status.state).toBe('accepted')
    expect(() => parseTwilioWebhook({ ...params, MessageStatus: 'exploded' })).toThrow(/not a delivery state/)
  })
})
