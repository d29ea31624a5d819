import twilio from 'twilio'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { startWebhookCapture, type CapturedWebhook } from '@banditore/providers/testing'
import { parseFormBody, toDeliveryStatus, toInboundMessage, createTwilioSmsClient, verifyTwilioSignature, parseTwilioWebhook, createWhatsAppCloudClient, verifyWhatsAppSignature, parseWhatsAppWebhook } from '@banditore/providers'

const { validateRequest } = twilio as unknown as {
  validateRequest: (token: string, signature: string, url: string, params: Record<string, unknown>) => boolean
}

const appSecret = 'calcinato-app-secret'
const wa = { phoneNumberId: '106540352242922', accessToken: 'EAAG-token', displayPhoneNumber: '+390306781234', businessAccountId: '102290129340398' }
const account = { accountSid: 'AC1f2e3d4c5b6a79880716253443526170', authToken: 'f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8' }
const smsNumber = '+390306785555'

let capture: Awaited<ReturnType<typeof startWebhookCapture>>
let sim: RunningSimulator
/** Status 500 for the first POST to each URL path listed here, to exercise retries. */
const failOnce = new Set<string>()

beforeAll(async () => {
  capture = await startWebhookCapture({
    status: (url) => {
      const path = url.split('?')[0] ?? url
      if (failOnce.delete(path)) return 500
      return 200
    },
  })
  sim = await startSimulator({
    whatsappAppSecret: appSecret,
    whatsapp: [{ ...wa, webhookUrl: `${capture.origin}/webhooks/whatsapp`, throughputPerSecond: 1000, templates: [{ name: 'avviso', language: 'it' }] }],
    twilio: [{ ...account, numbers: [{ number: smsNumber, smsUrl: `${capture.origin}/webhooks/sms`, throughputPerSecond: 1000 }] }],
    statusDelayMs: 1,
    // Meta's first retry (15 s of provider time) in 15 ms.
    timeScale: 1000,
  })
})
afterAll(async () => {
  await sim.stop()
  await capture.close()
})
beforeEach(async () => {
  // Statuses of the previous test may still be on their way.
  await sim.settle()
  sim.reset()
  capture.received.length = 0
})

const waClient = () => createWhatsAppCloudClient({ baseUrl: sim.url })
const smsClient = () => createTwilioSmsClient({ baseUrl: sim.url })

/** Verifies a captured WhatsApp webhook like ingest will, then parses it. */
function readWhatsApp(webhook: CapturedWebhook) {
  expect(verifyWhatsAppSignature(webhook.body, webhook.headers['x-hub-signature-256'], appSecret)).toEqual({ valid: true })
  return parseWhatsAppWebhook(webhook.body)
}

/** Verifies a captured Twilio webhook (ours and the official check), then parses it. */
function readTwilio(webhook: CapturedWebhook) {
  const params = parseFormBody(webhook.body)
  const signature = webhook.headers['x-twilio-signature']
  expect(verifyTwilioSignature(account.authToken, signature, webhook.url, params)).toEqual({ valid: true })
  expect(validateRequest(account.authToken, String(signature), webhook.url, params)).toBe(true)
  return parseTwilioWebhook(params, { url: webhook.url })
}

describe('status webhooks: simulator → our verifier and parser', () => {
  it('WhatsApp: sent, delivered, read, signed with the app secret, correlation echoed', async () => {
    const result = await waClient().sendTemplate({
      sender: wa,
      to: '+393331234567',
      correlation: 'broadcast-9:recipient-1',
      template: { name: 'avviso', languageCode: 'it' },
    })
    await sim.settle()
    const statuses = capture.received.flatMap((w) => readWhatsApp(w).statuses)
    expect(statuses.map((s) => s.status.state).sort()).toEqual(['delivered', 'read', 'sent'])
    for (const event of statuses) {
      expect(event.sender).toMatchObject({ phoneNumberId: wa.phoneNumberId, number: wa.displayPhoneNumber, businessAccountId: wa.businessAccountId })
      expect(event.status).toMatchObject({
        providerMessageId: result.providerMessageId,
        recipient: '+393331234567',
        correlation: 'broadcast-9:recipient-1',
      })
      expect(toDeliveryStatus(event, 'calcinato').tenant).toBe('calcinato')
    }
  })

  it('WhatsApp: an injected delivery failure arrives as failed with its error, classified', async () => {
    sim.setFaults({ rules: [{ action: 'fail-delivery', errorCode: 131026 }] })
    await waClient().sendTemplate({ sender: wa, to: '+393331234567', correlation: 'f-1', template: { name: 'avviso', languageCode: 'it' } })
    await sim.settle()
    const [event] = capture.received.flatMap((w) => readWhatsApp(w).statuses)
    expect(event?.status).toMatchObject({ state: 'failed', correlation: 'f-1', error: { code: '131026', title: 'Message undeliverable' } })
    expect(event?.errorKind).toBe('permanent')
  })

  it('SMS: sent and delivered to the StatusCallback URL (with its query), signed with the auth token', async () => {
    const statusCallbackUrl = `${capture.origin}/webhooks/sms/status?tenant=calcinato`
    const result = await smsClient().sendSms({ account, from: smsNumber, to: '+393331234567', body: 'Avviso', statusCallbackUrl, correlation: 'ledger-5' })
    await sim.settle()
    expect(capture.received.every((w) => w.url.startsWith(`${statusCallbackUrl}&correlation=ledger-5`))).toBe(true)
    const statuses = capture.received.flatMap((w) => readTwilio(w).statuses)
    expect(statuses.map((s) => s.status.state).sort()).toEqual(['delivered', 'sent'])
    for (const event of statuses) {
      expect(event.status).toMatchObject({ providerMessageId: result.providerMessageId, recipient: '+393331234567', correlation: 'ledger-5' })
      expect(event.sender).toMatchObject({ number: smsNumber, accountSid: account.accountSid })
    }
  })

  it('SMS: an injected delivery failure arrives as undelivered with ErrorCode', async () => {
    sim.setFaults({ rules: [{ action: 'fail-delivery', provider: 'sms-gateway', errorCode: 30003 }] })
    await smsClient().sendSms({ account, from: smsNumber, to: '+393331234567', body: 'x', statusCallbackUrl: `${capture.origin}/s`, correlation: 'u-1' })
    await sim.settle()
    const statuses = capture.received.flatMap((w) => readTwilio(w).statuses)
    const failed = statuses.find((s) => s.status.state === 'failed')
    expect(failed).toMatchObject({ providerState: 'undelivered', errorKind: 'retryable', status: { error: { code: '30003' }, correlation: 'u-1' } })
  })

  it('drops status callbacks on demand', async () => {
    sim.setFaults({ statusCallbacks: { dropRate: 1 } })
    await waClient().sendTemplate({ sender: wa, to: '+393331234567', correlation: 'd', template: { name: 'avviso', languageCode: 'it' } })
    await sim.settle()
    expect(capture.received).toEqual([])
    expect(sim.stats().callbacks.dropped).toBe(3)
  })

  it('delays status callbacks on demand', async () => {
    sim.setFaults({ statusCallbacks: { delayMs: 150 } })
    const started = performance.now()
    await waClient().sendTemplate({ sender: wa, to: '+393331234567', correlation: 'late', template: { name: 'avviso', languageCode: 'it' } })
    await capture.waitFor(1)
    expect(performance.now() - started).toBeGreaterThanOrEqual(145)
  })

  it('retries a webhook the receiver refused, as the providers do', async () => {
    failOnce.add('/webhooks/whatsapp')
    sim.setFaults({ rules: [{ action: 'fail-delivery', errorCode: 131050 }] })
    await waClient().sendTemplate({ sender: wa, to: '+393331234567', correlation: 'r', template: { name: 'avviso', languageCode: 'it' } })
    const stats = await sim.settle()
    expect(stats).toMatchObject({ delivered: 1, failed: 0, attempts: 2 })
    expect(capture.received).toHaveLength(1)
  })

  it('emits a late status for a recorded message on request', async () => {
    const result = await waClient().sendTemplate({ sender: wa, to: '+393331234567', correlation: 'late-fail', template: { name: 'avviso', languageCode: 'it' } })
    await sim.settle()
    capture.received.length = 0
    await expect(sim.emitStatus({ providerMessageId: result.providerMessageId, state: 'failed', errorCode: 131047 })).resolves.toMatchObject({ ok: true })
    const [event] = capture.received.flatMap((w) => readWhatsApp(w).statuses)
    expect(event?.status).toMatchObject({ state: 'failed', correlation: 'late-fail', error: { code: '131047' } })
  })
})

describe('the 24-hour window, when the simulator enforces it', () => {
  it('fails free text with 131047 until the citizen writes, then delivers', async () => {
    const strict = await startSimulator({
      whatsappAppSecret: appSecret,
      whatsapp: [{ ...wa, webhookUrl: `${capture.origin}/webhooks/whatsapp` }],
      enforceServiceWindow: true,
      whatsappStatuses: ['delivered'],
    })
    try {
      const client = createWhatsAppCloudClient({ baseUrl: strict.url })
      const send = (correlation: string) => client.sendText({ sender: wa, to: '+393331234567', body: 'ciao', correlation, window: { open: true } })
      await send('before')
      await strict.injectWhatsApp({ to: wa.phoneNumberId, from: '+393331234567', text: 'ciao comune' })
      await send('after')
      await strict.settle()
      const statuses = capture.received.flatMap((w) => readWhatsApp(w).statuses)
      expect(statuses.map((s) => [s.status.correlation, s.status.state, s.status.error?.code])).toEqual([
        ['before', 'failed', '131047'],
        ['after', 'delivered', undefined],
      ])
    } finally {
      await strict.stop()
    }
  })
})

describe('injected citizen messages: simulator → our verifier and parser', () => {
  it('WhatsApp text, in Meta’s format, signed', async () => {
    const injected = await sim.injectWhatsApp({ to: wa.displayPhoneNumber, from: '333 123 4567', profileName: 'Mario Rossi', text: 'ISCRIZIONE viabilita\u0300' })
    expect(injected.delivery).toMatchObject({ ok: true, status: 200 })
    const parsed = readWhatsApp(capture.received[0] as CapturedWebhook)
    expect(parsed.messages).toHaveLength(1)
    const [event] = parsed.messages
    if (!event) throw new Error('no message')
    expect(event.receiver).toMatchObject({ phoneNumberId: wa.phoneNumberId, number: wa.displayPhoneNumber, businessAccountId: wa.businessAccountId })
    expect(event.message).toMatchObject({
      providerMessageId: injected.messageId,
      from: '+393331234567',
      to: wa.displayPhoneNumber,
      profileName: 'Mario Rossi',
      type: 'text',
      text: 'ISCRIZIONE viabilità',
    })
    expect(toInboundMessage(event, 'calcinato').id).toBe(`whatsapp-cloud:${injected.messageId}`)
  })

  it('WhatsApp interactive reply given as a Meta message object, and a redelivery with the same id', async () => {
    const message = { type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'topic-rifiuti', title: 'Rifiuti' } } }
    const first = await sim.injectWhatsApp({ to: wa.phoneNumberId, from: '+393331234567', message })
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: '+393331234567', message, messageId: first.messageId })
    const events = capture.received.flatMap((w) => readWhatsApp(w).messages)
    expect(events.map((e) => [e.message.id, e.message.interactive])).toEqual([
      [`whatsapp-cloud:${first.messageId}`, { kind: 'list', id: 'topic-rifiuti', title: 'Rifiuti' }],
      [`whatsapp-cloud:${first.messageId}`, { kind: 'list', id: 'topic-rifiuti', title: 'Rifiuti' }],
    ])
  })

  it('SMS with media and an opt-out keyword, in Twilio’s format, signed', async () => {
    await sim.injectSms({ to: smsNumber, from: '+393331234567', body: 'Foto della buca', media: [{ url: 'https://media.example/1.jpg', contentType: 'image/jpeg' }] })
    const stop = await sim.injectSms({ to: smsNumber, from: '+393331234567', body: ' Stop ' })
    expect(stop.optOutType).toBe('STOP')
    const events = capture.received.flatMap((w) => readTwilio(w).messages)
    expect(events.map((e) => [e.message.type, e.message.text, e.message.media, e.extras.optOut])).toEqual([
      ['image', 'Foto della buca', [{ kind: 'image', ref: 'https://media.example/1.jpg', mimeType: 'image/jpeg' }], undefined],
      ['text', ' Stop ', undefined, 'STOP'],
    ])
    expect(events[0]?.receiver).toMatchObject({ number: smsNumber, accountSid: account.accountSid })
  })
})

describe('a WhatsApp username-only citizen (BSUID): simulator → our parser, and sends back to the BSUID', () => {
  it('injects a message with from_user_id and no from; a send in `recipient` is accepted and its statuses name the BSUID', async () => {
    const bsuid = 'IT.13491208655302741918'
    const injected = await sim.injectWhatsApp({ to: wa.phoneNumberId, fromUserId: bsuid, text: 'MI ISCRIVO' })
    expect(injected.delivery).toMatchObject({ ok: true })
    const posted = JSON.parse((capture.received[0] as CapturedWebhook).body.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { messages: Array<Record<string, unknown>>; contacts: Array<Record<string, unknown>> } }> }> }
    const value = posted.entry[0]!.changes[0]!.value
    expect(value.messages[0]).toMatchObject({ from_user_id: bsuid })
    expect(value.messages[0]).not.toHaveProperty('from')
    expect(value.contacts[0]).toMatchObject({ user_id: bsuid })
    expect(value.contacts[0]).not.toHaveProperty('wa_id')
    const [event] = readWhatsApp(capture.received[0] as CapturedWebhook).messages
    expect(toInboundMessage(event!, 'calcinato')).toMatchObject({ from: bsuid, fromUserId: bsuid, text: 'MI ISCRIVO' })

    capture.received.length = 0
    const result = await waClient().sendText({ sender: wa, to: bsuid, body: 'Benvenuto', correlation: 'reply-bsuid', window: { open: true } })
    expect(sim.messages({ to: bsuid })).toEqual([expect.objectContaining({ providerMessageId: result.providerMessageId, text: 'Benvenuto' })])
    await sim.settle()
    const statuses = capture.received.flatMap((w) => readWhatsApp(w).statuses)
    expect(statuses.length).toBeGreaterThan(0)
    for (const status of statuses) expect(toDeliveryStatus(status, 'calcinato')).toMatchObject({ recipient: bsuid, correlation: 'reply-bsuid' })
  })
})
