import type { Page } from 'playwright-core'
import { createDatabase } from '@banditore/platform'
import { SCHEMA, type SubscriptionsDatabase } from '@banditore/subscriptions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { audienceOf, expectAccessible, launchChromium, signIn, startConsoleWorld, type ConsoleWorld, type RunningChromium } from './support/index.js'

// Ancona's "URP su WhatsApp" desk in the browser: an extraordinary opening set from the console
// makes the desk open now (whatever the real clock says), a citizen writes, the message appears
// in the inbox without a reload, desk.ancona answers and the simulator receives the answer. A
// conversation whose 24-hour window has closed offers only the approved templates.
const ANCONA = '+393667695184'
const CITIZEN = '+393471230001'
const QUESTION = 'Buongiorno, che documenti servono per il cambio di residenza?'
const ANSWER = 'Serve un documento d’identità valido: può fare la pratica anche online.'

interface RecordedMessage {
  to: string
  type: string
  text?: string
  template?: { name: string; language: string }
}

let world: ConsoleWorld
let browser: RunningChromium

const inbox = async (phone: string) =>
  ((await (await fetch(`${world.serviceUrls.simulator}/_sim/messages?to=${encodeURIComponent(phone)}&limit=1000`)).json()) as { messages: RecordedMessage[] }).messages

async function citizenWrites(text: string) {
  const response = await fetch(`${world.serviceUrls.simulator}/_sim/inbound/whatsapp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: ANCONA, from: CITIZEN, text }),
  })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
}

/** A `datetime-local` value in the browser's own time zone, `offsetMinutes` from now. */
async function localInput(page: Page, offsetMinutes: number) {
  return await page.evaluate((offset) => {
    const d = new Date(Date.now() + offset * 60_000)
    const pad = (n: number) => String(n).padStart(2, '0')
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`
  }, offsetMinutes)
}

beforeAll(async () => {
  world = await startConsoleWorld({ services: ['simulator', 'ingest', 'moderation', 'subscriptions', 'worker'] })
  await citizenWrites('Iscrivimi')
  // Subscribed once the welcome reached the phone.
  await waitUntil(async () => (await inbox(CITIZEN)).some((m) => m.text?.includes('Benvenuto')), { what: 'the welcome', timeoutMs: 60_000, intervalMs: 200 })
  browser = await launchChromium()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await world?.stop()
})

describe('the desk in the console', () => {
  it('opens the desk now, shows a citizen’s message without reloading, and sends the answer', async () => {
    const page = await browser.newPage()
    await signIn(page, world.url, 'desk.ancona')
    // A desk operator starts at the desk.
    await page.getByRole('heading', { level: 1, name: 'Sportello' }).waitFor()
    await expectAccessible(page)

    // An extraordinary opening covering now: the desk is open whatever the weekly hours say.
    await page.getByRole('link', { name: 'Aperture e chiusure' }).first().click()
    await page.getByRole('heading', { level: 1, name: 'Aperture e chiusure straordinarie' }).waitFor()
    await expectAccessible(page)
    await page.locator('label', { hasText: 'Apertura straordinaria' }).click()
    await page.getByLabel('Dal', { exact: true }).fill(await localInput(page, -60))
    await page.getByLabel('Al', { exact: true }).fill(await localInput(page, 180))
    await page.getByLabel('Motivo', { exact: true }).fill('Apertura straordinaria per la prova')
    await page.getByRole('button', { name: 'Salva' }).click()
    await page.getByTestId('eccezioni').getByRole('cell', { name: 'Apertura straordinaria per la prova', exact: true }).waitFor()
    await page.getByTestId('stato-sportello').getByText('Sportello aperto').waitFor()
    await expectAccessible(page)

    // A canned answer for the tenant, picked later in the conversation.
    await page.getByRole('link', { name: 'Torna allo sportello' }).click()
    await page.getByRole('link', { name: 'Risposte predefinite' }).click()
    await page.getByRole('heading', { level: 1, name: 'Risposte predefinite' }).waitFor()
    await page.getByLabel('Titolo', { exact: true }).fill('Cambio di residenza')
    await page.getByLabel('Testo', { exact: true }).fill(ANSWER)
    await page.getByRole('button', { name: 'Salva' }).click()
    await page.getByRole('heading', { level: 2, name: 'Cambio di residenza' }).waitFor()
    await expectAccessible(page)

    await page.getByRole('link', { name: 'Torna allo sportello' }).click()
    await page.getByText('Nessun messaggio in attesa di risposta.').waitFor()
    await page.getByText('Aggiornamento automatico attivo').waitFor({ timeout: 30_000 })
    const loads: string[] = []
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) loads.push(frame.url())
    })

    await citizenWrites(QUESTION)
    const row = page.getByTestId('conversazioni').getByRole('row').filter({ hasText: QUESTION })
    await row.waitFor({ timeout: 60_000 })
    expect(loads).toEqual([])
    await expectAccessible(page)

    await row.getByRole('link', { name: CITIZEN }).click()
    await page.getByRole('heading', { level: 1, name: `Conversazione con ${CITIZEN}` }).waitFor()
    await page.getByTestId('finestra').filter({ hasText: 'Finestra di risposta' }).waitFor()
    await page.getByTestId('cronologia').getByText(QUESTION).waitFor()
    await page.getByText('Moderazione: Consentito').first().waitFor()
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Prendi in carico' }).click()
    await page.getByTestId('in-carico').filter({ hasText: 'desk.ancona@banditore.local' }).waitFor()

    await page.getByLabel('Risposta predefinita').selectOption({ label: 'Cambio di residenza' })
    expect(await page.getByLabel('Risposta', { exact: true }).inputValue()).toBe(ANSWER)
    await page.getByRole('button', { name: 'Invia risposta' }).click()
    await page.getByTestId('cronologia').getByText(ANSWER).waitFor()
    await expectAccessible(page)

    // The answer reaches the citizen's phone.
    const sent = await waitUntil(async () => (await inbox(CITIZEN)).find((m) => m.text === ANSWER), { what: 'the answer at the simulator', timeoutMs: 60_000, intervalMs: 200 })
    expect(sent).toMatchObject({ type: 'text', to: CITIZEN })
    await page.getByRole('link', { name: 'Torna allo sportello' }).click()
    await page.getByText('Nessun messaggio in attesa di risposta.').waitFor()
    await page.close()
  })

  it('offers only the approved templates once the 24-hour window has closed', async () => {
    // A citizen who last wrote 30 hours ago, their question still waiting.
    const [stale] = audienceOf('ancona', 1, { from: 9001 })
    await world.addSubscribers([stale!])
    const pool = createDatabase<SubscriptionsDatabase>({ url: world.database.url, applicationName: 'desk-test', max: 1 })
    try {
      await pool
        .withSchema(SCHEMA)
        .insertInto('desk_message')
        .values({
          tenant: 'ancona',
          subscriber_id: stale!.subscriberId,
          phone: stale!.phone,
          inbound_message_id: 'whatsapp-cloud:wamid.stale-desk-test',
          channel: 'whatsapp',
          language: 'it',
          text: 'Quando passa la raccolta del vetro?',
          media: '[]',
          moderation: 'allow',
          received_at: new Date(Date.now() - 30 * 3_600_000),
          status: 'open',
          answered_at: null,
          answered_by: null,
          answer_text: null,
          answer_reply_id: null,
          redacted_at: null,
        })
        .execute()
    } finally {
      await pool.destroy()
    }

    const page = await browser.newPage()
    // The same browser as the first test: desk.ancona is signed in.
    await page.goto(`${world.url}/sportello/${stale!.subscriberId}`)
    await page.getByRole('heading', { level: 1, name: `Conversazione con ${stale!.phone}` }).waitFor()
    await page.getByText('Finestra di 24 ore chiusa').waitFor()
    await page.getByText('WhatsApp accetta solo i modelli approvati').waitFor()
    // No free text, and nothing to send before a template is complete.
    expect(await page.getByLabel('Risposta', { exact: true }).count()).toBe(0)
    expect(await page.getByRole('button', { name: 'Invia risposta' }).count()).toBe(0)
    const send = page.getByRole('button', { name: 'Invia il modello' })
    expect(await send.isDisabled()).toBe(true)
    await page.getByLabel('Modello approvato').selectOption('avviso_generico')
    await page.getByLabel("Testo dell'avviso").fill('il vetro si raccoglie il giovedì')
    expect(await send.isDisabled()).toBe(true)
    await page.getByLabel('Dove informarsi').fill('www.comune.ancona.gov.it')
    await page.getByTestId('anteprima-modello').filter({ hasText: 'Comune di Ancona informa: il vetro si raccoglie il giovedì.' }).waitFor()
    await expectAccessible(page)
    await send.click()
    await page.getByTestId('cronologia').getByText('modello avviso_generico').waitFor()
    const sent = await waitUntil(async () => (await inbox(stale!.phone)).find((m) => m.template?.name === 'avviso_generico'), { what: 'the template at the simulator', timeoutMs: 60_000, intervalMs: 200 })
    expect(sent).toMatchObject({ type: 'template', template: { name: 'avviso_generico', language: 'it' } })
    await expectAccessible(page)
    await page.close()
  })
})
