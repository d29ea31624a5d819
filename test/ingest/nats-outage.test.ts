import { signWhatsAppPayload } from '@banditore/providers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { fixture, fixtureSecrets, readInbound, startIngest, type RunningIngest } from './running-ingest.js'

/** A Cloud API webhook carrying one text message, as Meta posts it. */
function webhook(messageId: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'waba-valdoro',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: fixture.valdoro.whatsapp.slice(1), phone_number_id: fixture.valdoro.phoneNumberId },
              contacts: [{ profile: { name: 'Carico' }, wa_id: '393471234567' }],
              messages: [{ from: '393471234567', id: messageId, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: messageId } }],
            },
          },
        ],
      },
    ],
  })
}

describe('a NATS restart under load', () => {
  let ingest: RunningIngest

  beforeAll(async () => {
    ingest = await startIngest({ PUBLISH_TIMEOUT_MS: '1500' })
  })
  afterAll(async () => {
    await ingest?.close()
  })

  const post = async (messageId: string): Promise<number> => {
    const body = webhook(messageId)
    try {
      const response = await fetch(`${ingest.url}/webhooks/whatsapp`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': signWhatsAppPayload(body, fixtureSecrets.VALDORO_WA_SECRET) },
      })
      await response.arrayBuffer()
      return response.status
    } catch {
      return 0
    }
  }

  it('loses no webhook that was answered 200, and stores each once after the provider retries', async () => {
    const outcomes = new Map<string, number>()
    let next = 0
    let stop = false
    const worker = async () => {
      while (!stop) {
        const id = `wamid.load-${String(next++).padStart(6, '0')}`
        outcomes.set(id, await post(id))
      }
    }
    const workers = Array.from({ length: 16 }, worker)
    const count = (wanted: (status: number) => boolean) => [...outcomes.values()].filter(wanted).length

    // Under load: the outage comes while webhooks are being accepted, whatever the machine's pace.
    await waitUntil(() => count((s) => s === 200) >= 150, { timeoutMs: 60_000, what: '150 webhooks answered 200 before the outage' })
    // SIGKILL: no chance to flush anything. Acknowledged writes must already be in the store.
    await ingest.nats.stop({ hard: true })
    await waitUntil(() => count((s) => s !== 200) >= 16, { timeoutMs: 60_000, what: 'webhooks refused during the outage' })
    await ingest.nats.start()
    const answeredBeforeRestart = count((s) => s === 200)
    await waitUntil(() => count((s) => s === 200) >= answeredBeforeRestart + 100, { timeoutMs: 60_000, what: '100 more webhooks answered 200 after the restart' })
    stop = true
    await Promise.all(workers)

    const answered = [...outcomes].filter(([, status]) => status === 200).map(([id]) => id)
    const refused = [...outcomes].filter(([, status]) => status !== 200)
    expect(answered.length).toBeGreaterThan(100)
    // The outage was real: some webhooks were refused with 503 (the provider retries those).
    expect(refused.length).toBeGreaterThan(0)
    expect(refused.every(([, status]) => status === 503)).toBe(true)

    const storedAfterRestart = (await readInbound(ingest.nc, 'inbound.message.valdoro')).map((m) => m.json.providerMessageId as string)
    const stored = new Set(storedAfterRestart)
    expect(answered.filter((id) => !stored.has(id))).toEqual([])
    expect(storedAfterRestart.length).toBe(stored.size)

    // The provider retries what was refused; ids stored before the refusal dedupe.
    for (const [id] of refused) expect(await post(id)).toBe(200)
    const final = (await readInbound(ingest.nc, 'inbound.message.valdoro')).map((m) => m.json.providerMessageId as string)
    expect(final.length).toBe(outcomes.size)
    expect(new Set(final).size).toBe(outcomes.size)
  }, 240_000)
})
