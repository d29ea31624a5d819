import { DeliveryStatusContract, InboundMessageContract, Streams, UnroutedWebhookContract } from '@banditore/contracts'
import { computeTwilioSignature, createTwilioSmsClient, createWhatsAppCloudClient, encodeFormBody, signWhatsAppPayload, twilioInboundParams } from '@banditore/providers'
import { startSimulator, type RunningSimulator } from '@banditore/provider-simulator'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { nanos } from '@nats-io/transport-node'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { fixture, fixtureSecrets, readInbound, startIngest, type RunningIngest } from './running-ingest.js'

const CITIZEN = '+393471234567'
const STRANGER_PHONE_NUMBER_ID = '299999999999999'
const UNKNOWN_SMS_NUMBER = '+393330009998'

describe('ingest webhooks, driven by the provider simulator', () => {
  let ingest: RunningIngest
  let sim: RunningSimulator

  beforeAll(async () => {
    ingest = await startIngest({ WHATSAPP_VERIFY_TOKEN: 'verify-token-for-tests' })
    const whatsappUrl = `${ingest.url}/webhooks/whatsapp`
    sim = await startSimulator({
      statusDelayMs: 0,
      whatsapp: [
        {
          phoneNumberId: fixture.valdoro.phoneNumberId,
          displayPhoneNumber: fixture.valdoro.whatsapp,
          accessToken: fixtureSecrets.VALDORO_WA_TOKEN,
          appSecret: fixtureSecrets.VALDORO_WA_SECRET,
          webhookUrl: whatsappUrl,
        },
        {
          phoneNumberId: fixture.montebianco.phoneNumberId,
          displayPhoneNumber: fixture.montebianco.whatsapp,
          accessToken: fixtureSecrets.MONTEBIANCO_WA_TOKEN,
          appSecret: fixtureSecrets.MONTEBIANCO_WA_SECRET,
          webhookUrl: whatsappUrl,
        },
        // A number of Valdoro's Meta app that no tenant file lists.
        {
          phoneNumberId: STRANGER_PHONE_NUMBER_ID,
          displayPhoneNumber: '+393330009999',
          accessToken: 'stranger-token',
          appSecret: fixtureSecrets.VALDORO_WA_SECRET,
          webhookUrl: whatsappUrl,
        },
      ],
      twilio: [
        {
          accountSid: fixtureSecrets.VALDORO_SMS_SID,
          authToken: fixtureSecrets.VALDORO_SMS_TOKEN,
          numbers: [
            { number: fixture.valdoro.sms, smsUrl: `${ingest.url}/webhooks/sms/messages` },
            { number: UNKNOWN_SMS_NUMBER, smsUrl: `${ingest.url}/webhooks/sms/messages` },
          ],
        },
      ],
    })
  })
  afterAll(async () => {
    await sim?.stop()
    await ingest?.close()
  })

  const streamCount = async () => (await (await jetstreamManager(ingest.nc)).streams.info(Streams.inbound.name)).state.messages

  it("puts a citizen's WhatsApp message on inbound.message.<tenant> once JetStream stored it", async () => {
    const injected = await sim.injectWhatsApp({ to: fixture.valdoro.phoneNumberId, from: '347 123 4567', profileName: 'Maria Rossi', text: 'ISCRIVIMI' })
    expect(injected.delivery).toMatchObject({ ok: true, status: 200 })

    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === injected.messageId)
    expect(stored).toHaveLength(1)
    const message = InboundMessageContract.parse(stored[0]?.json)
    expect(message).toMatchObject({
      id: `whatsapp-cloud:${injected.messageId}`,
      tenant: 'valdoro',
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      from: CITIZEN,
      to: fixture.valdoro.whatsapp,
      type: 'text',
      text: 'ISCRIVIMI',
      profileName: 'Maria Rossi',
    })
    expect(stored[0]?.msgId).toBe(message.id)
    // Personal data stays out of the logs.
    expect(ingest.logs.text()).not.toContain('3471234567')
    expect(ingest.logs.text()).not.toContain('Maria Rossi')
  })

  it('routes each tenant by its own number and app secret', async () => {
    const injected = await sim.injectWhatsApp({ to: fixture.montebianco.phoneNumberId, from: CITIZEN, text: 'INSCRIPTION' })
    expect(injected.delivery.status).toBe(200)
    const stored = await readInbound(ingest.nc, 'inbound.message.montebianco')
    expect(stored.map((m) => m.json.id)).toContain(`whatsapp-cloud:${injected.messageId}`)
    const valdoro = await readInbound(ingest.nc, 'inbound.message.valdoro')
    expect(valdoro.map((m) => m.json.id)).not.toContain(`whatsapp-cloud:${injected.messageId}`)
  })

  it("puts a citizen's SMS on inbound.message.<tenant>", async () => {
    const injected = await sim.injectSms({ to: fixture.valdoro.sms, from: CITIZEN, body: 'ISCRIVIMI eventi' })
    expect(injected.delivery).toMatchObject({ ok: true, status: 200 })
    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === injected.messageId)
    expect(stored).toHaveLength(1)
    expect(InboundMessageContract.parse(stored[0]?.json)).toMatchObject({
      id: `sms-gateway:${injected.messageId}`,
      channel: 'sms',
      from: CITIZEN,
      to: fixture.valdoro.sms,
      text: 'ISCRIVIMI eventi',
    })
  })

  it("carries the gateway's own opt-out (OptOutType) with the citizen's SMS", async () => {
    // An opt-out word the account configured itself: the gateway says STOP, the body is the citizen's.
    // Another citizen: the simulated gateway now refuses sends to this one, as Twilio does.
    const injected = await sim.injectSms({ to: fixture.valdoro.sms, from: '+393470000777', body: 'Arrivederci', optOutType: 'STOP' })
    expect(injected.delivery).toMatchObject({ ok: true, status: 200 })
    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === injected.messageId)
    expect(InboundMessageContract.parse(stored[0]?.json)).toMatchObject({ text: 'Arrivederci', gatewayOptOut: 'STOP' })
  })

  it('collapses provider redeliveries, sequential and concurrent, to one message', async () => {
    const messageId = 'wamid.redelivered-0001'
    const first = await sim.injectWhatsApp({ to: fixture.valdoro.phoneNumberId, from: CITIZEN, text: 'ciao', messageId })
    const again = await Promise.all(
      Array.from({ length: 5 }, () => sim.injectWhatsApp({ to: fixture.valdoro.phoneNumberId, from: CITIZEN, text: 'ciao', messageId })),
    )
    for (const outcome of [first, ...again]) expect(outcome.delivery.status).toBe(200)
    const stored = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === messageId)
    expect(stored).toHaveLength(1)

    const sid = 'SM0000000000000000000000000000dup1'
    for (let i = 0; i < 3; i++) await sim.injectSms({ to: fixture.valdoro.sms, from: CITIZEN, body: 'ciao', messageSid: sid })
    const sms = (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === sid)
    expect(sms).toHaveLength(1)
  })

  /**
   * Waits, by condition rather than by the clock, until the stream's duplicate window has passed
   * for everything published so far: a probe published now is stored again under its id (on a
   * subject of the stream nobody reads here).
   */
  const duplicateWindowPassed = async () => {
    const js = jetstream(ingest.nc)
    const probe = `dedupe-probe-${Date.now()}-${Math.random()}`
    const publish = async () => await js.publish('inbound.status.dedupe-probe', '{}', { msgID: probe })
    await publish()
    await waitUntil(async () => !(await publish()).duplicate, { timeoutMs: 30_000, intervalMs: 50, what: 'the duplicate window to pass' })
  }

  it('drops a redelivery that comes after the JetStream duplicate window, thanks to the PostgreSQL ledger', async () => {
    const jsm = await jetstreamManager(ingest.nc)
    const { config } = await jsm.streams.info(Streams.inbound.name)
    // Shrink the window so "later than the window" takes a second, not ten minutes.
    await jsm.streams.update(Streams.inbound.name, { ...config, duplicate_window: nanos(500) })
    try {
      const messageId = 'wamid.late-redelivery-0001'
      const send = () => sim.injectWhatsApp({ to: fixture.valdoro.phoneNumberId, from: CITIZEN, text: 'tardi', messageId })
      const count = async () =>
        (await readInbound(ingest.nc, 'inbound.message.valdoro')).filter((m) => m.json.providerMessageId === messageId).length
      expect((await send()).delivery.status).toBe(200)
      await duplicateWindowPassed()
      expect((await send()).delivery.status).toBe(200)
      expect(await count()).toBe(1)

      // Control: without its ledger row, the same late redelivery is stored again.
      await sql`delete from ingest.received_message where id = ${`whatsapp-cloud:${messageId}`}`.execute(ingest.db)
      await duplicateWindowPassed()
      expect((await send()).delivery.status).toBe(200)
      expect(await count()).toBe(2)
    } finally {
      await jsm.streams.update(Streams.inbound.name, config)
    }
  })

  it('puts delivery statuses on inbound.status.<tenant> with the send-ledger correlation, each state once', async () => {
    const whatsapp = createWhatsAppCloudClient({ baseUrl: sim.url })
    const sent = await whatsapp.sendText({
      sender: { phoneNumberId: fixture.valdoro.phoneNumberId, accessToken: fixtureSecrets.VALDORO_WA_TOKEN },
      to: CITIZEN,
      body: 'Avviso di prova',
      correlation: 'ledger-wa-1',
      window: { open: true },
    })
    const sms = createTwilioSmsClient({ baseUrl: sim.url })
    const sentSms = await sms.sendSms({
      account: { accountSid: fixtureSecrets.VALDORO_SMS_SID, authToken: fixtureSecrets.VALDORO_SMS_TOKEN },
      from: fixture.valdoro.sms,
      to: CITIZEN,
      body: 'Avviso di prova',
      statusCallbackUrl: `${ingest.url}/webhooks/sms/status`,
      correlation: 'ledger-sms-1',
    })
    const settled = await sim.settle()
    expect(settled.failed).toBe(0)
    // A provider repeating a status it already sent.
    expect(await sim.emitStatus({ providerMessageId: sent.providerMessageId, state: 'delivered' })).toMatchObject({ ok: true, status: 200 })

    const statuses = (await readInbound(ingest.nc, 'inbound.status.valdoro')).map((m) => DeliveryStatusContract.parse(m.json))
    const wa = statuses.filter((s) => s.providerMessageId === sent.providerMessageId)
    expect(wa.map((s) => s.state).sort()).toEqual(['delivered', 'read', 'sent'])
    expect(wa.every((s) => s.correlation === 'ledger-wa-1' && s.recipient === CITIZEN && s.id === `whatsapp-cloud:${s.providerMessageId}:${s.state}`)).toBe(true)
    const text = statuses.filter((s) => s.providerMessageId === sentSms.providerMessageId)
    expect(text.map((s) => s.state).sort()).toEqual(['delivered', 'sent'])
    expect(text.every((s) => s.correlation === 'ledger-sms-1' && s.channel === 'sms')).toBe(true)
  })

  it('keeps webhooks for numbers no tenant has on inbound.unrouted, answering 200', async () => {
    const before = (await readInbound(ingest.nc, 'inbound.message.*')).length
    const wa = await sim.injectWhatsApp({ to: STRANGER_PHONE_NUMBER_ID, from: CITIZEN, text: 'chi sei?' })
    const text = await sim.injectSms({ to: UNKNOWN_SMS_NUMBER, from: CITIZEN, body: 'pronto?' })
    expect(wa.delivery.status).toBe(200)
    expect(text.delivery.status).toBe(200)

    const unrouted = (await readInbound(ingest.nc, 'inbound.unrouted')).map((m) => UnroutedWebhookContract.parse(m.json))
    const forWa = unrouted.find((u) => u.body.includes(wa.messageId))
    expect(forWa).toMatchObject({ provider: 'whatsapp-cloud', to: STRANGER_PHONE_NUMBER_ID })
    expect(forWa?.reason).toMatch(/phone_number_id/)
    const forSms = unrouted.find((u) => u.body.includes(text.messageId))
    expect(forSms).toMatchObject({ provider: 'sms-gateway', to: UNKNOWN_SMS_NUMBER })
    expect((await readInbound(ingest.nc, 'inbound.message.*')).length).toBe(before)
  })

  describe('bad input is refused and nothing is published', () => {
    const webhookBody = (messageId: string) =>
      JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: 'waba-1',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '393330000101', phone_number_id: fixture.valdoro.phoneNumberId },
                  contacts: [{ profile: { name: 'Test' }, wa_id: '393471234567' }],
                  messages: [{ from: '393471234567', id: messageId, timestamp: '1767225600', type: 'text', text: { body: 'ciao' } }],
                },
              },
            ],
          },
        ],
      })
    const postWhatsApp = (body: string | Buffer, headers: Record<string, string>) =>
      fetch(`${ingest.url}/webhooks/whatsapp`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } })
    const sign = (body: string | Buffer, secret: string = fixtureSecrets.VALDORO_WA_SECRET) => ({ 'x-hub-signature-256': signWhatsAppPayload(body, secret) })

    it.each([
      ['no signature', {}],
      ['a malformed signature', { 'x-hub-signature-256': 'sha256=zz' }],
      ["another app's secret", sign(webhookBody('wamid.forged-1'), 'not-our-secret')],
      ['the signature of another body', sign(webhookBody('wamid.other'))],
    ])('WhatsApp with %s: 401', async (_case, headers) => {
      const before = await streamCount()
      const response = await postWhatsApp(webhookBody('wamid.forged-1'), headers)
      expect(response.status).toBe(401)
      expect(response.headers.get('content-type')).toContain('application/problem+json')
      expect(await response.json()).toMatchObject({ status: 401, code: 'WEBHOOK_SIGNATURE_INVALID' })
      expect(await streamCount()).toBe(before)
    })

    it.each([
      ['not JSON', '{"object": "whatsapp_business_account", '],
      ['JSON that is not a webhook', '{"hello":"world"}'],
      ['an empty body', ''],
    ])('WhatsApp %s, correctly signed: 400', async (_case, body) => {
      const before = await streamCount()
      const response = await postWhatsApp(body, sign(body))
      expect(response.status).toBe(400)
      expect(await response.json()).toMatchObject({ status: 400, code: 'MALFORMED_REQUEST' })
      expect(await streamCount()).toBe(before)
    })

    it('an oversized body: 413', async () => {
      const before = await streamCount()
      const body = Buffer.alloc(ingest.config.MAX_BODY_BYTES + 1, 'a')
      const response = await postWhatsApp(body, sign(body))
      expect(response.status).toBe(413)
      expect(await streamCount()).toBe(before)
    })

    it('a content type no provider sends: 415', async () => {
      const body = webhookBody('wamid.text-plain')
      const response = await fetch(`${ingest.url}/webhooks/whatsapp`, { method: 'POST', body, headers: { 'content-type': 'text/plain', ...sign(body) } })
      expect(response.status).toBe(415)
    })

    const smsParams = (sid: string) => twilioInboundParams({ accountSid: 'ACvaldoro', messageSid: sid, from: CITIZEN, to: fixture.valdoro.sms, body: 'ciao' })
    const postSms = (path: string, params: Record<string, string>, signature: string | undefined) =>
      fetch(`${ingest.url}${path}`, {
        method: 'POST',
        body: encodeFormBody(params),
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(signature ? { 'x-twilio-signature': signature } : {}) },
      })

    it.each([
      ['no signature', undefined],
      ['a wrong token', computeTwilioSignature('wrong-token', 'http://127.0.0.1/webhooks/sms/messages', smsParams('SMforged1'))],
      ['the signature of another URL', computeTwilioSignature(fixtureSecrets.VALDORO_SMS_TOKEN, 'https://elsewhere.example/webhooks/sms/messages', smsParams('SMforged1'))],
    ])('SMS with %s: 401', async (_case, signature) => {
      const before = await streamCount()
      const response = await postSms('/webhooks/sms/messages', smsParams('SMforged1'), signature)
      expect(response.status).toBe(401)
      expect(await streamCount()).toBe(before)
    })

    it('SMS with a body the gateway never sends, correctly signed: 400', async () => {
      const before = await streamCount()
      const params = { To: fixture.valdoro.sms, From: CITIZEN, Body: 'no sid' }
      const response = await postSms('/webhooks/sms/messages', params, computeTwilioSignature(fixtureSecrets.VALDORO_SMS_TOKEN, `${ingest.url}/webhooks/sms/messages`, params))
      expect(response.status).toBe(400)
      const status = { MessageSid: 'SMx', MessageStatus: 'exploded', To: CITIZEN, From: fixture.valdoro.sms }
      const bad = await postSms('/webhooks/sms/status', status, computeTwilioSignature(fixtureSecrets.VALDORO_SMS_TOKEN, `${ingest.url}/webhooks/sms/status`, status))
      expect(bad.status).toBe(400)
      expect(await streamCount()).toBe(before)
    })
  })

  it("answers Meta's verification GET only with our verify token", async () => {
    const query = (token: string) => `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`
    const ok = await fetch(`${ingest.url}/webhooks/whatsapp?${query('verify-token-for-tests')}`)
    expect(ok.status).toBe(200)
    expect(await ok.text()).toBe('1158201444')
    const refused = await fetch(`${ingest.url}/webhooks/whatsapp?${query('guess')}`)
    expect(refused.status).toBe(403)
  })

  it('counts requests per door and outcome in /metrics', async () => {
    const metrics = await (await fetch(`${ingest.url}/metrics`)).text()
    expect(metrics).toMatch(/ingest_requests_total\{door="whatsapp",outcome="accepted",service="ingest"\} [1-9]/)
    expect(metrics).toMatch(/ingest_requests_total\{door="whatsapp",outcome="refused",service="ingest"\} [1-9]/)
    expect(metrics).toMatch(/ingest_duplicates_total\{stage="(ledger|jetstream)",service="ingest"\} [1-9]/)
  })
})
