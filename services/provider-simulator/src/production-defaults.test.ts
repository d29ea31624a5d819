import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { createWhatsAppCloudClient, parseWhatsAppWebhook, ProviderError, signWhatsAppPayload, verifyWhatsAppSignature } from '@banditore/providers'
import { startWebhookCapture, type CapturedWebhook } from '@banditore/providers/testing'

/*
 * A simulator started with nothing but its numbers behaves as production does: the 24-hour
 * window, the pair rate, Meta's body encoding, its pricing and its template checks. Expected
 * bodies follow Meta's documented shapes (Cloud API error codes reference, messages webhook
 * reference, pricing updates).
 */

const appSecret = 'ancona-app-secret'
const wa = { phoneNumberId: '100000000000004', accessToken: 'EAAG-ancona', displayPhoneNumber: '+393667695184', businessAccountId: '102290129340398' }
const citizen = '+393331234567'

let capture: Awaited<ReturnType<typeof startWebhookCapture>>
let sim: RunningSimulator

beforeAll(async () => {
  capture = await startWebhookCapture()
  // Defaults only: no window, pair-rate or template option is given.
  sim = await startSimulator({
    whatsappAppSecret: appSecret,
    whatsapp: [
      {
        ...wa,
        webhookUrl: `${capture.origin}/webhooks/whatsapp`,
        throughputPerSecond: 1000,
        templates: [
          { name: 'avviso_generico', language: 'it', category: 'UTILITY', qualityRating: 'GREEN', bodyParameters: 2 },
          { name: 'evento_comunale', language: 'it', status: 'PENDING', bodyParameters: 3 },
          { name: 'promemoria_tari', language: 'it', status: 'REJECTED' },
          { name: 'avviso_viabilita', language: 'it', status: 'DISABLED', qualityRating: 'RED', bodyParameters: 3 },
        ],
      },
    ],
    statusDelayMs: 1,
  })
})
afterAll(async () => {
  await sim.stop()
  await capture.close()
})
beforeEach(async () => {
  await sim.settle()
  sim.reset()
  capture.received.length = 0
})

const client = () => createWhatsAppCloudClient({ baseUrl: sim.url })
const statusesOf = (webhooks: readonly CapturedWebhook[]) => webhooks.flatMap((w) => parseWhatsAppWebhook(w.body).statuses)
const rawStatuses = (webhooks: readonly CapturedWebhook[]) =>
  webhooks.flatMap((w) => (JSON.parse(w.body.toString('utf8')) as { entry: Array<{ changes: Array<{ value: { statuses?: unknown[] } }> }> }).entry[0]?.changes[0]?.value.statuses ?? [])
const avviso = (correlation: string, body = ['la raccolta è spostata', 'www.comune.ancona.it']) =>
  client().sendTemplate({
    sender: wa,
    to: citizen,
    correlation,
    template: { name: 'avviso_generico', languageCode: 'it', body: body.map((text) => ({ type: 'text' as const, text })) },
  })

async function refusal(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof ProviderError) return error
    throw error
  }
  throw new Error('expected the send to be refused')
}

describe('the 24-hour customer-service window, enforced by default', () => {
  it('fails free text to a citizen who never wrote with 131047, as Meta reports it', async () => {
    // The caller believes the window open: the provider is the one that knows.
    await client().sendText({ sender: wa, to: citizen, body: 'Buongiorno', correlation: 'cold', window: { open: true } })
    await sim.settle()
    const [failed] = rawStatuses(capture.received)
    expect(failed).toMatchObject({
      status: 'failed',
      recipient_id: '393331234567',
      biz_opaque_callback_data: 'cold',
      errors: [
        {
          code: 131047,
          title: 'Re-engagement message',
          message: 'Re-engagement message',
          error_data: { details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
        },
      ],
    })
    expect(statusesOf(capture.received).map((s) => [s.status.state, s.status.error?.code, s.errorKind])).toEqual([['failed', '131047', 'permanent']])
  })

  it('prices a reply inside the window free_customer_service (not billed), a template outside it regular', async () => {
    await avviso('outside')
    await sim.settle()
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, text: 'ISCRIZIONE' })
    capture.received.length = 0
    await client().sendText({ sender: wa, to: citizen, body: 'Iscrizione confermata', correlation: 'inside', window: { open: true } })
    await avviso('template-inside')
    await sim.settle()
    const sent = rawStatuses(capture.received.concat()).filter((s) => (s as { status: string }).status === 'sent')
    expect(sent).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          biz_opaque_callback_data: 'inside',
          pricing: { billable: false, pricing_model: 'PMP', category: 'service', type: 'free_customer_service' },
        }),
        expect.objectContaining({
          biz_opaque_callback_data: 'template-inside',
          pricing: { billable: false, pricing_model: 'PMP', category: 'utility', type: 'free_customer_service' },
        }),
      ]),
    )
    const [outside] = sim.messages({ correlation: 'outside' })
    expect(outside?.pricingType).toBe('regular')
  })
})

describe('the pair rate limit, on by default', () => {
  it("lets a burst of 45 messages to one citizen through, then refuses with 131056; other citizens are not affected", async () => {
    const outcomes: Array<'accepted' | string> = []
    for (let i = 0; i < 60; i++) {
      try {
        await avviso(`burst-${i}`)
        outcomes.push('accepted')
      } catch (error) {
        outcomes.push(error instanceof ProviderError ? `${error.kind}:${error.providerCode}` : String(error))
      }
    }
    // Meta: a burst of up to 45 messages, then one every 6 seconds.
    expect(outcomes.slice(0, 45).every((o) => o === 'accepted')).toBe(true)
    expect(outcomes.slice(45)).toContain('throttled:131056')
    expect(outcomes.filter((o) => o !== 'accepted' && o !== 'throttled:131056')).toEqual([])
    await expect(
      client().sendTemplate({
        sender: wa,
        to: '+393331234568',
        correlation: 'other',
        template: { name: 'avviso_generico', languageCode: 'it', body: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
      }),
    ).resolves.toMatchObject({ to: '+393331234568' })
    expect(sim.stats().rejections.pairRateLimited).toBeGreaterThan(0)
  })
})

describe("webhook bodies encoded as Meta encodes them", () => {
  it('escapes non-ASCII as \\uXXXX and / as \\/, and signs those exact bytes', async () => {
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, profileName: 'Niccolò', text: 'Perché la strada è chiusa? 🚧 via Roma/via Verdi' })
    const [webhook] = capture.received
    if (!webhook) throw new Error('no webhook')
    const raw = webhook.body.toString('latin1')
    // Every byte is ASCII: Meta writes UTF-16 escapes, an emoji as a surrogate pair.
    expect([...webhook.body].every((byte) => byte < 0x80)).toBe(true)
    expect(raw).toContain('"body":"Perch\\u00e9 la strada \\u00e8 chiusa? \\ud83d\\udea7 via Roma\\/via Verdi"')
    expect(raw).toContain('"name":"Niccol\\u00f2"')
    expect(verifyWhatsAppSignature(webhook.body, webhook.headers['x-hub-signature-256'], appSecret)).toEqual({ valid: true })
    // A receiver that signs its own re-serialization of the JSON does not match.
    const reserialized = JSON.stringify(JSON.parse(raw))
    expect(signWhatsAppPayload(reserialized, appSecret)).not.toBe(webhook.headers['x-hub-signature-256'])
    expect(parseWhatsAppWebhook(webhook.body).messages[0]?.message).toMatchObject({
      text: 'Perché la strada è chiusa? 🚧 via Roma/via Verdi',
      profileName: 'Niccolò',
    })
  })
})

describe('error_subcode, where Meta sends it', () => {
  it('131030 (recipient not in allowed list) carries error_subcode 2655007; an unknown number id carries 33', async () => {
    sim.setFaults({ rules: [{ action: 'error', errorCode: 131030, count: 1 }] })
    const notAllowed = await refusal(avviso('allow'))
    expect(notAllowed.cause).toEqual({
      error: {
        message: '(#131030) Recipient phone number not in allowed list',
        type: 'OAuthException',
        code: 131030,
        error_data: {
          messaging_product: 'whatsapp',
          details: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
        },
        error_subcode: 2655007,
        fbtrace_id: expect.any(String),
      },
    })
    const unknown = await refusal(
      client().sendTemplate({ sender: { ...wa, phoneNumberId: '999' }, to: citizen, correlation: 'x', template: { name: 'avviso_generico', languageCode: 'it' } }),
    )
    expect(unknown.cause).toMatchObject({ error: { code: 100, error_subcode: 33, type: 'GraphMethodException' } })
  })
})

describe("the business account's template catalog", () => {
  it('accepts an approved template with its parameters', async () => {
    await expect(avviso('ok')).resolves.toMatchObject({ to: citizen })
    expect(sim.messages({ correlation: 'ok' })[0]?.template).toEqual({ name: 'avviso_generico', language: 'it' })
  })

  it.each([
    ['an unknown name', 'avviso_inesistente', 'it', 132001, 404, 'Template name does not exist in the translation', 'template name (avviso_inesistente) does not exist in it'],
    ['a language it has no translation in', 'avviso_generico', 'en_US', 132001, 404, 'Template name does not exist in the translation', 'template name (avviso_generico) does not exist in en_US'],
    ['a template pending review', 'evento_comunale', 'it', 132001, 404, 'Template name does not exist in the translation', 'template name (evento_comunale) does not exist in it'],
    ['a rejected template', 'promemoria_tari', 'it', 132001, 404, 'Template name does not exist in the translation', 'template name (promemoria_tari) does not exist in it'],
    [
      'a disabled template',
      'avviso_viabilita',
      'it',
      132016,
      400,
      'Template is disabled',
      'Template avviso_viabilita has been paused too many times due to low quality and is now permanently disabled.',
    ],
  ])('refuses %s with Meta’s error', async (_case, name, languageCode, code, httpStatus, title, details) => {
    const error = await refusal(client().sendTemplate({ sender: wa, to: citizen, correlation: `t-${name}`, template: { name, languageCode } }))
    expect(error).toMatchObject({ kind: 'permanent', providerCode: String(code), httpStatus })
    expect(error.cause).toEqual({
      error: { message: `(#${code}) ${title}`, type: 'OAuthException', code, error_data: { messaging_product: 'whatsapp', details }, fbtrace_id: expect.any(String) },
    })
    expect(sim.messages({ correlation: `t-${name}` })).toEqual([])
  })

  it('refuses the wrong number of parameters with 132000, naming the component', async () => {
    const error = await refusal(avviso('few', ['solo uno']))
    expect(error).toMatchObject({ kind: 'permanent', providerCode: '132000', httpStatus: 400 })
    expect(error.cause).toMatchObject({
      error: {
        message: '(#132000) Number of parameters does not match the expected number of params',
        error_data: { details: 'body: number of localizable_params (1) does not match the expected number of params (2)' },
      },
    })
    expect(sim.stats().rejections.template).toBe(1)
  })

  it('pauses a template over the control API (132015), then approves it again', async () => {
    const paused = await sim.app.inject({ method: 'PATCH', url: `/_sim/templates/${wa.phoneNumberId}/avviso_generico`, payload: { status: 'PAUSED', qualityRating: 'RED' } })
    expect(paused.statusCode).toBe(200)
    expect(paused.json()).toEqual({
      templates: [
        expect.objectContaining({ businessAccountId: wa.businessAccountId, name: 'avviso_generico', language: 'it', status: 'PAUSED', qualityRating: 'RED', category: 'UTILITY', bodyParameters: 2 }),
      ],
    })
    try {
      const error = await refusal(avviso('paused'))
      expect(error).toMatchObject({ kind: 'permanent', providerCode: '132015' })
      expect(error.cause).toMatchObject({
        error: {
          message: '(#132015) Template is Paused',
          error_data: { details: 'Template avviso_generico is paused due to low quality so it cannot be sent in a template message.' },
        },
      })
    } finally {
      sim.updateTemplate(wa.businessAccountId, 'avviso_generico', { status: 'APPROVED', qualityRating: 'GREEN' })
    }
    await expect(avviso('again')).resolves.toMatchObject({ to: citizen })
    const listed = await sim.app.inject({ url: `/_sim/templates?businessAccountId=${wa.businessAccountId}` })
    expect(listed.json().templates).toHaveLength(4)
  })

  it('adds a template over the control API, and names what is wrong with a bad one', async () => {
    const added = await sim.app.inject({ method: 'PUT', url: `/_sim/templates/${wa.businessAccountId}`, payload: { name: 'raccolta_rifiuti', language: 'it', bodyParameters: 1 } })
    expect(added.json()).toEqual({
      businessAccountId: wa.businessAccountId,
      name: 'raccolta_rifiuti',
      language: 'it',
      category: 'UTILITY',
      status: 'APPROVED',
      qualityRating: 'UNKNOWN',
      bodyParameters: 1,
      headerParameters: 0,
    })
    const bad = await sim.app.inject({ method: 'PUT', url: `/_sim/templates/${wa.businessAccountId}`, payload: { name: 'Raccolta', language: 'it', params: 1 } })
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({
      title: 'Bad Request',
      errors: expect.arrayContaining([
        { field: '/name', message: expect.stringContaining('pattern') },
        { field: '/params', message: expect.stringContaining('is not a field of this request') },
      ]),
    })
    const missing = await sim.app.inject({ method: 'PATCH', url: `/_sim/templates/${wa.businessAccountId}/nessuno`, payload: { status: 'PAUSED' } })
    expect(missing.statusCode).toBe(404)
    expect(missing.json()).toMatchObject({ title: 'Not Found', detail: expect.stringContaining('no template nessuno') })
  })
})
