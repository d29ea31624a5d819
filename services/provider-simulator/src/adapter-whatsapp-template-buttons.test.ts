import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { startWebhookCapture, type CapturedWebhook } from '@banditore/providers/testing'
import {
  createWhatsAppCloudClient,
  listWhatsAppTemplates,
  parseWhatsAppWebhook,
  ProviderError,
  verifyWhatsAppSignature,
  type FetchFunction,
  type SendTemplateInput,
} from '@banditore/providers'

/*
 * Template messages with quick-reply buttons (the emergency safety poll): the adapter's button
 * components, the simulator's poll template and its checks, and a citizen's tap coming back as
 * Meta's template-button webhook that the parser reads.
 */

const appSecret = 'gressan-app-secret'
const waba = '200000000000003'
const wa = { phoneNumberId: '100000000000003', accessToken: 'EAAG-gressan', displayPhoneNumber: '+393389428034', businessAccountId: waba }
const citizen = '+393331234567'
const pollId = '6f1c2a4e-8b3d-4c5e-9f60-0a1b2c3d4e5f'
const ok = `poll:${pollId}:ok`
const help = `poll:${pollId}:help`
const alertBody = [
  { type: 'text' as const, text: 'ALLERTA: esondazione della Dora' },
  { type: 'text' as const, text: 'Salite ai piani alti e non usate l’auto.' },
]

let capture: Awaited<ReturnType<typeof startWebhookCapture>>
let sim: RunningSimulator

beforeAll(async () => {
  capture = await startWebhookCapture()
  sim = await startSimulator({
    whatsappAppSecret: appSecret,
    whatsapp: [
      {
        ...wa,
        webhookUrl: `${capture.origin}/webhooks/whatsapp`,
        throughputPerSecond: 1000,
        // As the local stack registers a tenant: its own template and the emergency template
        // (two variables). The poll template comes with the emergency template.
        templates: [
          { name: 'avviso_generico', language: 'it', bodyParameters: 1 },
          { name: 'allerta_emergenza', language: 'it', bodyParameters: 2 },
        ],
      },
    ],
    whatsappStatuses: ['delivered'],
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

const client = (fetchFn?: FetchFunction) => createWhatsAppCloudClient({ baseUrl: sim.url, ...(fetchFn ? { fetch: fetchFn } : {}) })

const sendPoll = (languageCode: string, correlation: string, buttons: SendTemplateInput['template']['buttons'] = [{ payload: ok }, { payload: help }]) =>
  client().sendTemplate({ sender: wa, to: citizen, correlation, template: { name: 'allerta_sondaggio', languageCode, body: alertBody, buttons } })

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the send to fail')
}

/** Posts a raw Cloud API template body, as a client without our adapter would. */
async function rawTemplateSend(template: Record<string, unknown>) {
  const response = await fetch(`${sim.url}/v21.0/${wa.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${wa.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: citizen, type: 'template', template }),
  })
  return { status: response.status, body: (await response.json()) as { error?: { code: number; message: string; error_data?: { details: string } } } }
}

const pollButton = (index: unknown, payload: unknown = ok, subType: unknown = 'quick_reply') => ({
  type: 'button',
  sub_type: subType,
  index,
  parameters: [{ type: 'payload', payload }],
})
const pollTemplate = (...buttons: unknown[]) => ({
  name: 'allerta_sondaggio',
  language: { code: 'it' },
  components: [{ type: 'body', parameters: alertBody }, ...buttons],
})

function readMessages(webhook: CapturedWebhook) {
  expect(verifyWhatsAppSignature(webhook.body, webhook.headers['x-hub-signature-256'], appSecret)).toEqual({ valid: true })
  return parseWhatsAppWebhook(webhook.body).messages
}

/** The citizen's tap, over the control API; the webhook it posted. */
async function tap(reply: { id: string; messageId?: string }) {
  const response = await fetch(`${sim.url}/_sim/inbound/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: wa.displayPhoneNumber, from: citizen, reply }),
  })
  return response
}

describe('the safety-poll template in the catalog', () => {
  it('comes with the emergency template, in it and fr, UTILITY and approved, with its buttons in the listing', async () => {
    const templates = await listWhatsAppTemplates({ baseUrl: sim.url, businessAccountId: waba, accessToken: wa.accessToken })
    expect(templates.filter((t) => t.name === 'allerta_sondaggio').map((t) => [t.language, t.status, t.category, t.parameterCount])).toEqual([
      ['fr', 'APPROVED', 'UTILITY', 2],
      ['it', 'APPROVED', 'UTILITY', 2],
    ])
    const response = await fetch(`${sim.url}/v21.0/${waba}/message_templates?name=allerta_sondaggio`, { headers: { authorization: `Bearer ${wa.accessToken}` } })
    const { data } = (await response.json()) as { data: Array<{ language: string; components: Array<Record<string, unknown>> }> }
    expect(data.map((t) => [t.language, t.components.find((c) => c.type === 'BUTTONS')])).toEqual([
      ['fr', { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Je vais bien' }, { type: 'QUICK_REPLY', text: "J'ai besoin d'aide" }] }],
      ['it', { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Sto bene' }, { type: 'QUICK_REPLY', text: 'Ho bisogno di aiuto' }] }],
    ])
  })

  it('is not added to an account without the emergency template, and an explicit definition wins', async () => {
    sim.registerWhatsAppSender({ phoneNumberId: '100000000000077', accessToken: 'EAAG-other', displayPhoneNumber: '+393389420077', businessAccountId: '77', templates: [{ name: 'avviso', language: 'it' }] })
    expect(sim.simulator.templates.list('77').map((t) => t.name)).toEqual(['avviso'])
    sim.setTemplate('78', { name: 'allerta_sondaggio', language: 'it', buttons: [{ type: 'QUICK_REPLY', text: 'OK' }] })
    sim.setTemplate('78', { name: 'allerta_emergenza', language: 'it', bodyParameters: 2 })
    expect(sim.simulator.templates.get('78', 'allerta_sondaggio', 'it')?.buttons).toEqual([{ type: 'QUICK_REPLY', text: 'OK' }])
    expect(sim.simulator.templates.get('78', 'allerta_sondaggio', 'fr')?.buttons).toHaveLength(2)
  })
})

describe('a template with quick-reply buttons, sent through the adapter', () => {
  it('is accepted and recorded with its payloads and their labels', async () => {
    const result = await sendPoll('it', 'alert-1:r1')
    expect(sim.messages({ correlation: 'alert-1:r1' })[0]).toMatchObject({
      providerMessageId: result.providerMessageId,
      type: 'template',
      template: {
        name: 'allerta_sondaggio',
        language: 'it',
        buttons: [
          { index: 0, text: 'Sto bene', payload: ok },
          { index: 1, text: 'Ho bisogno di aiuto', payload: help },
        ],
      },
    })
  })

  it("comes back as Meta's template-button message when the citizen taps a button, which the parser reads as a button reply", async () => {
    const sent = await sendPoll('it', 'alert-1:r1')
    await sim.settle()
    capture.received.length = 0
    const response = await tap({ id: help })
    expect(response.status).toBe(200)
    const raw = JSON.parse(capture.received[0]!.body.toString()) as { entry: Array<{ changes: Array<{ value: { messages: unknown[] } }> }> }
    expect(raw.entry[0]!.changes[0]!.value.messages[0]).toMatchObject({
      context: { from: '393389428034', id: sent.providerMessageId },
      from: '393331234567',
      type: 'button',
      button: { payload: help, text: 'Ho bisogno di aiuto' },
    })
    expect(readMessages(capture.received[0]!)[0]?.message).toMatchObject({
      from: citizen,
      type: 'interactive',
      text: 'Ho bisogno di aiuto',
      interactive: { kind: 'button', id: help, title: 'Ho bisogno di aiuto' },
      replyTo: sent.providerMessageId,
    })
  })

  it('labels the tap in the language the template was sent in', async () => {
    await sendPoll('fr', 'alert-1:r2')
    await sim.settle()
    capture.received.length = 0
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, reply: { id: ok } })
    expect(readMessages(capture.received[0]!)[0]?.message).toMatchObject({ interactive: { kind: 'button', id: ok, title: 'Je vais bien' } })
  })

  it('answers the latest template offering the payload, or the one messageId names', async () => {
    const first = await sendPoll('it', 'alert-1:r1')
    const second = await sendPoll('fr', 'alert-2:r1')
    await sim.settle()
    capture.received.length = 0
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, reply: { id: ok } })
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, reply: { id: ok, messageId: first.providerMessageId } })
    const [latest, named] = capture.received.map((w) => readMessages(w)[0]?.message)
    expect([latest?.replyTo, latest?.interactive?.title]).toEqual([second.providerMessageId, 'Je vais bien'])
    expect([named?.replyTo, named?.interactive?.title]).toEqual([first.providerMessageId, 'Sto bene'])
  })

  it('refuses a payload no template sent to the citizen carries (404, naming /reply/id)', async () => {
    await sendPoll('it', 'alert-1:r1')
    const response = await tap({ id: `poll:${pollId}:maybe` })
    expect(response.status).toBe(404)
    expect(JSON.stringify(await response.json())).toContain('/reply/id')
  })
})

describe("simulator: Meta's checks on a template send's buttons", () => {
  it('answers 131009 through the adapter for buttons the template does not have, a permanent ProviderError', async () => {
    const noButtons = await rejection(
      client().sendTemplate({ sender: wa, to: citizen, correlation: 'x', template: { name: 'avviso_generico', languageCode: 'it', body: [{ type: 'text', text: 'a' }], buttons: [{ payload: 'p' }] } }),
    )
    expect(noButtons).toBeInstanceOf(ProviderError)
    expect(noButtons).toMatchObject({ kind: 'permanent', providerCode: '131009', httpStatus: 400, detail: 'Button at index 0 of type Quick_reply does not exist' })

    const third = await rejection(sendPoll('it', 'x', [{ payload: ok }, { payload: help }, { payload: 'poll:x:maybe' }]))
    expect(third).toMatchObject({ kind: 'permanent', providerCode: '131009', detail: 'Button at index 2 of type Quick_reply does not exist' })
    expect(sim.messages()).toEqual([])
    expect(sim.stats().rejections.template).toBe(2)
  })

  it.each([
    ['a url button where the template has a quick reply', [pollButton('0', 'https://x.example', 'url')], 131009, 'Button at index 0 of type Url does not exist'],
    ['an index out of range', [pollButton(5)], 131009, 'Button at index 5 of type Quick_reply does not exist'],
    ['an index that is no number', [pollButton('first')], 131009, 'index must be an integer from 0 to 9'],
    ['the same index twice', [pollButton('0'), pollButton(0, help)], 131009, 'index 0 is given twice'],
    ['a text parameter instead of a payload', [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'text', text: 'Sto bene' }] }], 131009, 'parameters[0].type must be payload'],
    ['no sub_type', [{ type: 'button', index: '0', parameters: [{ type: 'payload', payload: ok }] }], 131008, 'Parameter template.components[1].sub_type is required.'],
    ['no payload', [{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload' }] }], 131008, 'parameters[0].payload is required'],
    [
      'two parameters',
      [{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: ok }, { type: 'payload', payload: help }] }],
      132000,
      'button: number of localizable_params (2) does not match the expected number of params (1)',
    ],
  ])('answers %s with %i', async (_case, buttons, code, details) => {
    const { status, body } = await rawTemplateSend(pollTemplate(...buttons))
    expect(status).toBe(400)
    expect(body.error?.code).toBe(code)
    expect(body.error?.error_data?.details).toContain(details)
    expect(sim.messages()).toEqual([])
  })

  it('accepts the buttons given as numbers or in any order, and a send that gives none', async () => {
    expect((await rawTemplateSend(pollTemplate(pollButton(1, help), pollButton(0, ok)))).status).toBe(200)
    expect((await rawTemplateSend(pollTemplate())).status).toBe(200)
    expect(sim.messages().map((m) => m.template)).toEqual([
      { name: 'allerta_sondaggio', language: 'it', buttons: [{ index: 0, text: 'Sto bene', payload: ok }, { index: 1, text: 'Ho bisogno di aiuto', payload: help }] },
      { name: 'allerta_sondaggio', language: 'it' },
    ])
  })
})
