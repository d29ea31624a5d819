import { afterEach, describe, expect, it } from 'vitest'
import { createTwilioSmsClient, createWhatsAppCloudClient, parseWhatsAppWebhook } from '@banditore/providers'
import { startWebhookCapture } from '@banditore/providers/testing'
import type { CallbackStats } from './callback-dispatcher.js'
import { startSimulator, type StartSimulatorOptions } from './start-simulator.js'

/*
 * The simulator's webhooks through its own surface: a status lost while ingest is down still
 * arrives later (Meta's schedule, on a compressed clock), the control API shows it waiting, and
 * `callbackMaxAttempts` still means what it meant before the providers' schedules.
 */

const wa = { phoneNumberId: '106540352242922', accessToken: 'EAAG-token', displayPhoneNumber: '+390306781234', templates: [{ name: 'avviso', language: 'it' }] }
const account = { accountSid: 'AC1f2e3d4c5b6a79880716253443526170', authToken: 'f3b2a1c0d9e8f7a6b5c4d3e2f1a0b9c8' }
const smsNumber = '+390306785555'
const citizen = '+393331234567'

const stops: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop()
})

/** An ingest stand-in answering 503 while `down`. */
async function ingest() {
  const state = { down: true }
  const capture = await startWebhookCapture({ status: () => (state.down ? 503 : 200) })
  stops.push(capture.close)
  return { capture, state }
}

async function simulator(options: StartSimulatorOptions) {
  const sim = await startSimulator(options)
  stops.push(sim.stop)
  const callbacks = async () => ((await (await fetch(`${sim.url}/_sim/stats`)).json()) as { callbacks: CallbackStats }).callbacks
  return { sim, callbacks }
}

describe('webhooks while ingest is down', () => {
  it('delivers the statuses of a WhatsApp send once ingest is back, as Meta retries them', async () => {
    const { capture, state } = await ingest()
    // An hour of Meta's schedule in a real second.
    const { sim, callbacks } = await simulator({ whatsapp: [{ ...wa, webhookUrl: `${capture.origin}/webhooks/whatsapp` }], statusDelayMs: 0, timeScale: 3600 })
    const sent = await createWhatsAppCloudClient({ baseUrl: sim.url }).sendTemplate({ sender: wa, to: citizen, correlation: 'lost-1', template: { name: 'avviso', languageCode: 'it' } })

    // sent, delivered and read each failed and wait for their retry.
    await expect.poll(async () => (await callbacks()).retrying).toBe(3)
    expect(await (await fetch(`${sim.url}/_sim/settle?timeoutMs=50`, { method: 'POST' })).json()).toMatchObject({ settled: false, callbacks: { retrying: 3 } })

    state.down = false
    await expect.poll(async () => (await callbacks()).deliveredAfterRetry, { timeout: 5000 }).toBe(3)
    expect(await callbacks()).toMatchObject({ delivered: 3, failed: 0, retrying: 0, pending: 0 })
    const statuses = capture.received.flatMap((webhook) => parseWhatsAppWebhook(webhook.body).statuses)
    expect(statuses.map((s) => [s.status.providerMessageId, s.status.state]).sort()).toEqual(
      [
        [sent.providerMessageId, 'delivered'],
        [sent.providerMessageId, 'read'],
        [sent.providerMessageId, 'sent'],
      ].sort(),
    )
  })

  it("loses an SMS status callback ingest answered with 503: Twilio does not retry those", async () => {
    const { capture } = await ingest()
    const { sim, callbacks } = await simulator({ twilio: [{ ...account, numbers: [{ number: smsNumber }] }], statusDelayMs: 0, smsStatuses: ['delivered'] })
    await createTwilioSmsClient({ baseUrl: sim.url }).sendSms({ account, from: smsNumber, to: citizen, body: 'x', statusCallbackUrl: `${capture.origin}/s`, correlation: 'sms-1' })
    await sim.settle()
    expect(await callbacks()).toMatchObject({ delivered: 0, failed: 1, attempts: 1, retrying: 0 })
  })
})

describe('callbackMaxAttempts, the override of the providers’ schedules', () => {
  it('retries every failure of either provider, that many attempts, as before', async () => {
    const { capture } = await ingest()
    const { sim } = await simulator({
      twilio: [{ ...account, numbers: [{ number: smsNumber, smsUrl: `${capture.origin}/sms` }] }],
      whatsapp: [{ ...wa, webhookUrl: `${capture.origin}/whatsapp` }],
      callbackMaxAttempts: 3,
      // The old delays (100 ms, 200 ms) in a tenth of the time.
      timeScale: 10,
    })
    expect((await sim.injectSms({ to: smsNumber, from: citizen, body: 'ciao' })).delivery).toEqual({ ok: false, status: 503, attempts: 3 })
    expect((await sim.injectWhatsApp({ to: wa.phoneNumberId, from: citizen, text: 'ciao' })).delivery).toEqual({ ok: false, status: 503, attempts: 3 })
  })
})
