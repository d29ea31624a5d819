import { Writable } from 'node:stream'
import { createLogger } from '@banditore/platform'
import { buildWhatsAppMessageWebhook, computeTwilioSignature, encodeFormBody, signWhatsAppPayload, twilioInboundParams, whatsAppMessagesValue, whatsAppWebhookEnvelope } from '@banditore/providers'
import type { FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { buildIngestServer } from './app.js'
import { loadConfig } from './config.js'
import { MemoryLedger, MemoryPublisher } from './fixtures/memory-edges.js'
import { unitSecrets, unitTenants } from './fixtures/unit-tenants.js'
import { secretsFrom } from './webhook-credentials.js'

const VALDORO = { businessAccountId: 'waba-1', phoneNumberId: '200000000000001', displayPhoneNumber: '+393330000101' }
const MONTEBIANCO = { businessAccountId: 'waba-2', phoneNumberId: '200000000000002', displayPhoneNumber: '+393330000201' }
const CITIZEN = '+393471234567'

describe('ingest over in-memory edges', () => {
  let app: FastifyInstance | undefined
  afterEach(async () => {
    await app?.close()
    app = undefined
  })

  async function build(secrets: Record<string, string> = unitSecrets) {
    const publisher = new MemoryPublisher()
    const ledger = new MemoryLedger()
    const lines: string[] = []
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) })
    app = await buildIngestServer(loadConfig({ PUBLIC_BASE_URL: 'https://ingest.example.org' }), {
      logger: createLogger({ service: 'ingest', level: 'info', destination }),
      tenants: unitTenants(),
      secrets: secretsFrom(secrets),
      publisher,
      ledger,
      readiness: {},
    })
    return { app, publisher, ledger, logs: () => lines.join('') }
  }

  const whatsapp = (target: FastifyInstance, payload: unknown, secret: string) => {
    const body = JSON.stringify(payload)
    return target.inject({
      method: 'POST',
      url: '/webhooks/whatsapp',
      payload: body,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-hub-signature-256': signWhatsAppPayload(body, secret) },
    })
  }
  const text = (from: string, id: string, body: string) => ({ from, messageId: id, at: new Date('2026-01-01T00:00:00Z'), message: { type: 'text', text: { body } } })

  it('answers 503 when JetStream does not acknowledge, and remembers nothing', async () => {
    const { app, publisher, ledger } = await build()
    publisher.failing = true
    const response = await whatsapp(app, buildWhatsAppMessageWebhook(VALDORO, text(CITIZEN, 'wamid.1', 'ciao')), unitSecrets.VALDORO_WA_SECRET as string)
    expect(response.statusCode).toBe(503)
    expect(response.headers['content-type']).toContain('application/problem+json')
    expect(ledger.ids.size).toBe(0)
    publisher.failing = false
    const retried = await whatsapp(app, buildWhatsAppMessageWebhook(VALDORO, text(CITIZEN, 'wamid.1', 'ciao')), unitSecrets.VALDORO_WA_SECRET as string)
    expect(retried.statusCode).toBe(200)
    expect(publisher.stored.map((m) => m.msgId)).toEqual(['whatsapp-cloud:wamid.1'])
  })

  it('splits a webhook of one Meta app shared by two tenants, each to its subject', async () => {
    const shared = { ...unitSecrets, MONTEBIANCO_WA_SECRET: unitSecrets.VALDORO_WA_SECRET as string }
    const { app, publisher } = await build(shared)
    const payload = whatsAppWebhookEnvelope([
      { businessAccountId: 'waba-1', values: [whatsAppMessagesValue(VALDORO, { waId: '393471234567' }, [{ from: '393471234567', id: 'wamid.v', timestamp: '1767225600', type: 'text', text: { body: 'a' } }])] },
      { businessAccountId: 'waba-2', values: [whatsAppMessagesValue(MONTEBIANCO, { waId: '393471234567' }, [{ from: '393471234567', id: 'wamid.m', timestamp: '1767225600', type: 'text', text: { body: 'b' } }])] },
    ])
    expect((await whatsapp(app, payload, unitSecrets.VALDORO_WA_SECRET as string)).statusCode).toBe(200)
    expect(publisher.stored.map((m) => [m.subject, m.msgId]).sort()).toEqual([
      ['inbound.message.montebianco', 'whatsapp-cloud:wamid.m'],
      ['inbound.message.valdoro', 'whatsapp-cloud:wamid.v'],
    ])
  })

  it("keeps a number signed with another tenant's app secret on inbound.unrouted", async () => {
    const { app, publisher } = await build()
    const response = await whatsapp(app, buildWhatsAppMessageWebhook(MONTEBIANCO, text(CITIZEN, 'wamid.x', 'x')), unitSecrets.VALDORO_WA_SECRET as string)
    expect(response.statusCode).toBe(200)
    expect(publisher.json()).toEqual([
      { subject: 'inbound.unrouted', body: expect.objectContaining({ provider: 'whatsapp-cloud', to: MONTEBIANCO.phoneNumberId, reason: expect.stringMatching(/another Meta app/) }) },
    ])
  })

  it('logs a missing secret at start and refuses that tenant’s webhooks', async () => {
    const { MONTEBIANCO_WA_SECRET: _dropped, ...partial } = unitSecrets
    const { app, publisher, logs } = await build(partial)
    expect(logs()).toContain('"variable":"MONTEBIANCO_WA_SECRET"')
    const response = await whatsapp(app, buildWhatsAppMessageWebhook(MONTEBIANCO, text(CITIZEN, 'wamid.y', 'y')), 'montebianco-meta-app-secret')
    expect(response.statusCode).toBe(401)
    expect(publisher.stored).toEqual([])
  })

  it('answers 503 for an SMS number whose auth token is not configured, so the gateway retries', async () => {
    const { VALDORO_SMS_TOKEN: _dropped, ...partial } = unitSecrets
    const { app, publisher } = await build(partial)
    const params = twilioInboundParams({ accountSid: 'ACv', messageSid: 'SM1', from: CITIZEN, to: '+393330000102', body: 'ciao' })
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/sms/messages',
      payload: encodeFormBody(params),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': computeTwilioSignature('valdoro-sms-auth-token', 'https://ingest.example.org/webhooks/sms/messages', params),
      },
    })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toMatchObject({ status: 503 })
    expect(publisher.stored).toEqual([])
  })

  it('answers an inbound SMS with empty TwiML, so the gateway sends nothing back', async () => {
    const { app, publisher } = await build()
    const params = twilioInboundParams({ accountSid: 'ACv', messageSid: 'SM2', from: CITIZEN, to: '+393330000102', body: 'ciao' })
    const response = await app.inject({
      method: 'POST',
      url: '/webhooks/sms/messages?source=test',
      payload: encodeFormBody(params),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // Signed over the public URL, query string included.
        'x-twilio-signature': computeTwilioSignature('valdoro-sms-auth-token', 'https://ingest.example.org/webhooks/sms/messages?source=test', params),
      },
    })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toContain('text/xml')
    expect(response.body).toContain('<Response></Response>')
    expect(publisher.stored.map((m) => m.msgId)).toEqual(['sms-gateway:SM2'])
  })

  describe("Twilio's HMAC-SHA256 variant, under a Webhook Setting", () => {
    const url = 'https://ingest.example.org/webhooks/sms/messages'
    const params = twilioInboundParams({ accountSid: 'ACv', messageSid: 'SM256', from: CITIZEN, to: '+393330000102', body: 'ISCRIVIMI' })
    const post = (target: FastifyInstance, signature: string, settings: string) =>
      target.inject({
        method: 'POST',
        url: '/webhooks/sms/messages',
        payload: encodeFormBody(params),
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'x-twilio-webhooks-signature-settings': settings },
      })

    it("accepts a webhook signed with the Setting's shared key and HMAC-SHA256, alongside SHA-1", async () => {
      const { app, publisher } = await build()
      const signature = computeTwilioSignature('valdoro-webhook-setting-shared-key', url, params, 'HMAC_SHA256')
      const response = await post(app, signature, 'key=webhooks_setting_01,algorithm=HMAC_SHA256')
      expect(response.statusCode).toBe(200)
      expect(publisher.stored.map((m) => [m.subject, m.msgId])).toEqual([['inbound.message.valdoro', 'sms-gateway:SM256']])
    })

    it('refuses SHA-256 signed with the auth token, a SHA-1 signature under a SHA-256 setting, and an unknown algorithm', async () => {
      const { app, publisher } = await build()
      const withToken = await post(app, computeTwilioSignature('valdoro-sms-auth-token', url, params, 'HMAC_SHA256'), 'key=k,algorithm=HMAC_SHA256')
      expect(withToken.statusCode).toBe(401)
      const sha1 = await post(app, computeTwilioSignature('valdoro-webhook-setting-shared-key', url, params), 'key=k,algorithm=HMAC_SHA256')
      expect(sha1.statusCode).toBe(401)
      const unknown = await post(app, computeTwilioSignature('valdoro-webhook-setting-shared-key', url, params, 'HMAC_SHA256'), 'key=k,algorithm=HMAC_MD5')
      expect(unknown.statusCode).toBe(401)
      expect(publisher.stored).toEqual([])
    })
  })

  it('refuses the verification GET when no verify token is configured', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=&hub.challenge=1' })
    expect(response.statusCode).toBe(403)
  })
})
