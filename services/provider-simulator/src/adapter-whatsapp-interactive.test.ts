import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { startSimulator, type RunningSimulator } from './start-simulator.js'
import { startWebhookCapture, type CapturedWebhook } from '@banditore/providers/testing'
import {
  createWhatsAppCloudClient,
  InteractiveMessageError,
  OutsideCustomerServiceWindowError,
  parseWhatsAppWebhook,
  ProviderError,
  verifyWhatsAppSignature,
  type FetchFunction,
  type InteractiveList,
} from '@banditore/providers'

const appSecret = 'gressan-app-secret'
const wa = { phoneNumberId: '100000000000003', accessToken: 'EAAG-gressan', displayPhoneNumber: '+393389428034', businessAccountId: '200000000000003' }
const citizen = '+393331234567'
const recentInbound = { lastInboundAt: new Date(Date.now() - 60_000) }

let capture: Awaited<ReturnType<typeof startWebhookCapture>>
let sim: RunningSimulator

beforeAll(async () => {
  capture = await startWebhookCapture()
  sim = await startSimulator({
    whatsappAppSecret: appSecret,
    whatsapp: [{ ...wa, webhookUrl: `${capture.origin}/webhooks/whatsapp`, throughputPerSecond: 1000 }],
    enforceServiceWindow: true,
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

const list = (rows: number, patch: Partial<InteractiveList> = {}): InteractiveList => ({
  kind: 'list',
  header: 'Comune di Gressan',
  body: 'Scegli dal menu i temi che vuoi ricevere.',
  footer: 'Sempre inclusi: EMERGENZE',
  button: 'Scegli i temi',
  sections: [{ rows: Array.from({ length: rows }, (_, i) => ({ id: `topics:t${i}`, title: `Tema ${i}`, description: 'Solo questo tema' })) }],
  ...patch,
})

function countingFetch() {
  const bodies: Array<Record<string, unknown>> = []
  const fetchFn: FetchFunction = (input, init) => {
    bodies.push(JSON.parse(String(init.body)) as Record<string, unknown>)
    return fetch(input, init)
  }
  return { fetchFn, bodies }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected the send to fail')
}

/** Posts a raw Cloud API body, as a client without our checks would. */
async function rawSend(interactive: unknown) {
  const response = await fetch(`${sim.url}/v21.0/${wa.phoneNumberId}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${wa.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ messaging_product: 'whatsapp', to: citizen, type: 'interactive', interactive }),
  })
  return { status: response.status, body: (await response.json()) as { error?: { code: number; error_data?: { details: string } } } }
}

const wire = (rows: Array<{ id: string; title: string; description?: string }>) => ({
  type: 'list',
  body: { text: 'Scegli' },
  action: { button: 'Scegli i temi', sections: [{ rows }] },
})

describe('WhatsApp client: interactive messages', () => {
  it('sends a list with header, body, footer, button and rows, and the simulator records it', async () => {
    const spy = countingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    const result = await client.sendInteractive({ sender: wa, to: citizen, correlation: 'reply:gressan:1', interactive: list(3), window: recentInbound })
    expect(spy.bodies[0]).toMatchObject({
      type: 'interactive',
      biz_opaque_callback_data: 'reply:gressan:1',
      interactive: {
        type: 'list',
        header: { type: 'text', text: 'Comune di Gressan' },
        body: { text: 'Scegli dal menu i temi che vuoi ricevere.' },
        footer: { text: 'Sempre inclusi: EMERGENZE' },
        action: { button: 'Scegli i temi', sections: [{ rows: [{ id: 'topics:t0', title: 'Tema 0', description: 'Solo questo tema' }, {}, {}] }] },
      },
    })
    const [recorded] = sim.messages({ correlation: 'reply:gressan:1' })
    expect(recorded).toMatchObject({ providerMessageId: result.providerMessageId, type: 'interactive', interactive: { type: 'list' } })
  })

  it('sends reply buttons', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    await client.sendInteractive({
      sender: wa,
      to: citizen,
      correlation: 'b',
      window: recentInbound,
      interactive: { kind: 'buttons', body: 'Confermi?', buttons: [{ id: 'yes', title: 'Sì' }, { id: 'no', title: 'No' }] },
    })
    expect(sim.messages({ correlation: 'b' })[0]?.interactive).toEqual({
      type: 'button',
      body: { text: 'Confermi?' },
      action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Sì' } }, { type: 'reply', reply: { id: 'no', title: 'No' } }] },
    })
  })

  it.each([
    ['sections', list(11)],
    ['sections[0].rows[1].title', list(2, { sections: [{ rows: [{ id: 'a', title: 'ok' }, { id: 'b', title: 'x'.repeat(25) }] }] })],
    ['sections[0].rows[0].description', list(1, { sections: [{ rows: [{ id: 'a', title: 'ok', description: 'd'.repeat(73) }] }] })],
    ['sections[0].rows[1].id', list(2, { sections: [{ rows: [{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }] }] })],
    ['button', list(2, { button: 'b'.repeat(21) })],
    ['header', list(2, { header: 'h'.repeat(61) })],
  ])('refuses a list past Meta’s limits before sending, naming %s', async (field, interactive) => {
    const spy = countingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    const error = await rejection(client.sendInteractive({ sender: wa, to: citizen, correlation: 'x', interactive, window: recentInbound }))
    expect(error).toBeInstanceOf(InteractiveMessageError)
    expect(error).toMatchObject({ field, code: 'INTERACTIVE_MESSAGE_INVALID' })
    expect(spy.bodies).toHaveLength(0)
  })

  it('refuses more than 3 buttons and a button title over 20 characters', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    const send = (buttons: Array<{ id: string; title: string }>) =>
      rejection(client.sendInteractive({ sender: wa, to: citizen, correlation: 'x', window: recentInbound, interactive: { kind: 'buttons', body: 'b', buttons } }))
    expect(await send([1, 2, 3, 4].map((i) => ({ id: `${i}`, title: `${i}` })))).toMatchObject({ field: 'buttons' })
    expect(await send([{ id: 'a', title: 't'.repeat(21) }])).toMatchObject({ field: 'buttons[0].title' })
  })

  it('refuses outside the 24-hour window before any request', async () => {
    const spy = countingFetch()
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: spy.fetchFn })
    const error = await rejection(client.sendInteractive({ sender: wa, to: citizen, correlation: 'x', interactive: list(2), window: { lastInboundAt: null } }))
    expect(error).toBeInstanceOf(OutsideCustomerServiceWindowError)
    expect(spy.bodies).toHaveLength(0)
  })
})

describe('simulator: Meta’s checks on interactive sends', () => {
  it.each([
    ['11 rows', wire(Array.from({ length: 11 }, (_, i) => ({ id: `r${i}`, title: `R${i}` }))), 'interactive.action.sections'],
    ['a row title over 24', wire([{ id: 'a', title: 'x'.repeat(25) }]), 'interactive.action.sections[0].rows[0].title'],
    ['a description over 72', wire([{ id: 'a', title: 'A', description: 'd'.repeat(73) }]), 'interactive.action.sections[0].rows[0].description'],
    ['a repeated row id', wire([{ id: 'a', title: 'A' }, { id: 'a', title: 'B' }]), 'interactive.action.sections[0].rows[1].id'],
    [
      '4 buttons',
      { type: 'button', body: { text: 'b' }, action: { buttons: [1, 2, 3, 4].map((i) => ({ type: 'reply', reply: { id: `${i}`, title: `${i}` } })) } },
      'interactive.action.buttons',
    ],
    ['a button title over 20', { type: 'button', body: { text: 'b' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 't'.repeat(21) } }] } }, 'interactive.action.buttons[0].reply.title'],
  ])('answers 131009 for %s, naming the field', async (_case, interactive, field) => {
    const { status, body } = await rawSend(interactive)
    expect(status).toBe(400)
    expect(body.error?.code).toBe(131009)
    expect(body.error?.error_data?.details).toContain(field)
    expect(sim.messages()).toHaveLength(0)
  })

  it('answers 131008 for a list without its button label', async () => {
    const { body } = await rawSend({ type: 'list', body: { text: 'b' }, action: { sections: [{ rows: [{ id: 'a', title: 'A' }] }] } })
    expect(body.error).toMatchObject({ code: 131008, error_data: { details: expect.stringContaining('interactive.action.button') } })
  })

  it('the client reports a refusal as a permanent ProviderError with the code', async () => {
    // The client's own check is bypassed by a fetch that rewrites the body past the limits.
    const fetchFn: FetchFunction = (input, init) => {
      const body = JSON.parse(String(init.body)) as { interactive: { action: { sections: Array<{ rows: Array<{ title: string }> }> } } }
      body.interactive.action.sections[0]!.rows[0]!.title = 'x'.repeat(30)
      return fetch(input, { ...init, body: JSON.stringify(body) })
    }
    const client = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: fetchFn })
    const error = await rejection(client.sendInteractive({ sender: wa, to: citizen, correlation: 'x', interactive: list(2), window: recentInbound }))
    expect(error).toBeInstanceOf(ProviderError)
    expect(error).toMatchObject({ kind: 'permanent', providerCode: '131009' })
  })

  it('fails an interactive message with 131047 outside the window (accepted, then a failed status)', async () => {
    const client = createWhatsAppCloudClient({ baseUrl: sim.url })
    await client.sendInteractive({ sender: wa, to: citizen, correlation: 'outside', interactive: list(2), window: { open: true } })
    await sim.settle()
    const statuses = capture.received.flatMap((w) => parseWhatsAppWebhook(w.body).statuses)
    expect(statuses.map((s) => [s.status.correlation, s.status.state, s.status.error?.code])).toEqual([['outside', 'failed', '131047']])
  })
})

describe('simulator: the citizen answers an interactive message', () => {
  const readMessages = (webhook: CapturedWebhook) => {
    expect(verifyWhatsAppSignature(webhook.body, webhook.headers['x-hub-signature-256'], appSecret)).toEqual({ valid: true })
    return parseWhatsAppWebhook(webhook.body).messages
  }

  it('a list reply, in Meta’s shape, with the row’s title and the message answered as context', async () => {
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, text: 'TEMI' })
    const sent = await createWhatsAppCloudClient({ baseUrl: sim.url }).sendInteractive({ sender: wa, to: citizen, correlation: 'menu', interactive: list(3), window: recentInbound })
    await sim.settle()
    capture.received.length = 0
    const response = await fetch(`${sim.url}/_sim/inbound/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: wa.displayPhoneNumber, from: citizen, reply: { id: 'topics:t1' } }),
    })
    expect(response.status).toBe(200)
    const raw = JSON.parse(capture.received[0]!.body.toString()) as { entry: Array<{ changes: Array<{ value: { messages: unknown[] } }> }> }
    expect(raw.entry[0]!.changes[0]!.value.messages[0]).toMatchObject({
      context: { from: '393389428034', id: sent.providerMessageId },
      from: '393331234567',
      type: 'interactive',
      interactive: { type: 'list_reply', list_reply: { id: 'topics:t1', title: 'Tema 1', description: 'Solo questo tema' } },
    })
    expect(readMessages(capture.received[0]!)[0]?.message).toMatchObject({ type: 'interactive', interactive: { kind: 'list', id: 'topics:t1', title: 'Tema 1' } })
  })

  it('a button reply', async () => {
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, text: 'ciao' })
    await createWhatsAppCloudClient({ baseUrl: sim.url }).sendInteractive({
      sender: wa,
      to: citizen,
      correlation: 'buttons',
      window: recentInbound,
      interactive: { kind: 'buttons', body: 'Confermi?', buttons: [{ id: 'yes', title: 'Sì' }] },
    })
    await sim.settle()
    capture.received.length = 0
    await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, reply: { id: 'yes' } })
    expect(readMessages(capture.received[0]!)[0]?.message).toMatchObject({ interactive: { kind: 'button', id: 'yes', title: 'Sì' } })
  })

  it('refuses an id no interactive message offered the citizen (404, naming /reply/id)', async () => {
    const response = await fetch(`${sim.url}/_sim/inbound/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: wa.phoneNumberId, from: citizen, reply: { id: 'topics:nope' } }),
    })
    expect(response.status).toBe(404)
    expect(JSON.stringify(await response.json())).toContain('/reply/id')
  })
})
