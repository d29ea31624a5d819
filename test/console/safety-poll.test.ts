import { safetyPollPayload } from '@banditore/contracts'
import { createDatabase } from '@banditore/platform'
import { SCHEMA, type SubscriptionsDatabase } from '@banditore/subscriptions'
import { describe, expect, it } from 'vitest'
import { audienceOf, expectAccessible, fromPage, useConsoleWorld } from './support/index.js'

// A safety poll from the browser: civil protection of Corbetta launches an alert that asks
// citizens how they are ("1 Sto bene / 2 Ho bisogno di aiuto"); one answers with the WhatsApp
// button, one asks for help in words, one by SMS, one stays silent. The alert's page counts them
// live, sends the reminder to the silent ones on request, and the all-clear closes the poll. At
// the desk, the two help requests come first, marked in words, ahead of an older question.
const TENANT = { id: 'corbetta', number: '+393667760789' }
const topics = ['emergenze']
const [fine, helpByText, silent] = audienceOf(TENANT.id, 3, { from: 7001, topics })
const [helpBySms] = audienceOf(TENANT.id, 1, { from: 7101, channel: 'sms', topics })
// Waiting at the desk since before the alert with an ordinary question (and silent to the poll).
const [asker] = audienceOf(TENANT.id, 1, { from: 7201, topics })
const citizens = [fine!, helpByText!, silent!, helpBySms!, asker!]
const QUESTION = 'Quando riapre l’ufficio anagrafe?'

// The alert's workflow reads the count every second (help requests reach the timeline at once).
const setup = useConsoleWorld({ env: { SAFETY_POLL_CHECK_SECONDS: '1' } }, 300_000)

interface RecordedMessage {
  to: string
  type: string
  text?: string
  template?: { name: string }
}

async function messagesTo(phone: string): Promise<RecordedMessage[]> {
  const response = await fetch(`${setup.world.serviceUrls.simulator}/_sim/messages?to=${encodeURIComponent(phone)}&limit=1000`)
  return ((await response.json()) as { messages: RecordedMessage[] }).messages
}

async function inject(channel: 'whatsapp' | 'sms', body: Record<string, unknown>) {
  const response = await fetch(`${setup.world.serviceUrls.simulator}/_sim/inbound/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: TENANT.number, ...body }),
  })
  expect(response.status, await response.clone().text()).toBeLessThan(300)
}

/** The older question, straight into the desk's table (Corbetta's desk takes only help requests). */
async function seedQuestion() {
  const pool = createDatabase<SubscriptionsDatabase>({ url: setup.world.database.url, applicationName: 'safety-poll-console-test', max: 1 })
  try {
    await pool
      .withSchema(SCHEMA)
      .insertInto('desk_message')
      .values({
        tenant: TENANT.id,
        subscriber_id: asker!.subscriberId,
        phone: asker!.phone,
        inbound_message_id: 'whatsapp-cloud:wamid.safety-poll-console-question',
        channel: 'whatsapp',
        language: 'it',
        text: QUESTION,
        media: '[]',
        moderation: 'allow',
        received_at: new Date(Date.now() - 2 * 3_600_000),
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
}

describe('safety polls in the console', () => {
  it('asks with the alert, counts the answers live, sends the reminder, and puts help requests first at the desk', async () => {
    await setup.world.addSubscribers(citizens)
    await seedQuestion()

    const page = await setup.signInFresh(`civil-protection.${TENANT.id}`, { returnTo: '/emergenze' })
    await page.getByRole('heading', { level: 1, name: 'Emergenze' }).waitFor()
    await page.getByRole('button', { name: 'Allerta meteo arancione' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.waitFor()
    // Not asked unless staff choose it; then the question citizens read, the reminder and the duration.
    const ask = dialog.getByLabel('Chiedi ai cittadini come stanno (1 Sto bene, 2 Ho bisogno di aiuto)')
    expect(await ask.isChecked()).toBe(false)
    expect(await dialog.getByLabel('Promemoria a chi non ha risposto').count()).toBe(0)
    // Bootstrap Italia draws the checkbox on its label: a person clicks the label.
    await dialog.locator('label', { hasText: 'Chiedi ai cittadini come stanno' }).click()
    expect(await ask.isChecked()).toBe(true)
    await dialog.getByTestId('anteprima-sondaggio').filter({ hasText: 'Come stai? Rispondi 1 se stai bene, 2 se hai bisogno di aiuto.' }).waitFor()
    expect(await dialog.getByLabel('Promemoria a chi non ha risposto').inputValue()).toBe('')
    await dialog.getByLabel('Il sondaggio resta aperto per').selectOption({ label: '2 ore' })
    await expectAccessible(page)

    // A refusal of the poll is shown under its fieldset, the control marked invalid (the API
    // refuses it only on an all-clear, which never offers it: the refusal is staged here).
    await page.route('**/api/broadcast/v1/emergencies', (route) =>
      route.fulfill({
        status: 422,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Unprocessable Entity', status: 422, code: 'DRAFT_INVALID', detail: '/poll: il sondaggio non è disponibile per questa allerta' }),
      }),
    )
    await dialog.getByRole('button', { name: 'Conferma invio' }).click()
    const fieldError = dialog.getByText('Errore: il sondaggio non è disponibile per questa allerta')
    await fieldError.waitFor({ timeout: 30_000 })
    expect(await ask.getAttribute('aria-invalid')).toBe('true')
    const errorId = await fieldError.getAttribute('id')
    expect((await ask.getAttribute('aria-describedby'))?.split(' ')).toContain(errorId)
    expect(await dialog.getByTestId('sondaggio-scelta').getAttribute('aria-describedby')).toBe(errorId)
    await dialog.getByText('«Sondaggio di sicurezza»: il sondaggio non è disponibile').waitFor()
    await expectAccessible(page)
    await page.unroute('**/api/broadcast/v1/emergencies')

    await dialog.getByRole('button', { name: 'Conferma invio' }).click()
    await page.waitForURL(/\/emergenze\/[0-9a-f-]{36}$/, { timeout: 60_000 })
    const alertId = new URL(page.url()).pathname.split('/').at(-1)!
    const panel = page.getByTestId('sondaggio')
    await panel.getByRole('heading', { name: 'Sondaggio di sicurezza' }).waitFor()
    await panel.getByTestId('sondaggio-stato').filter({ hasText: /^Aperto fino alle \d\d:\d\d/ }).waitFor({ timeout: 60_000 })
    await page.getByTestId('cronologia').getByText('Sondaggio aperto').waitFor({ timeout: 60_000 })
    await expectAccessible(page)

    // Everyone has the question, then answers (or not).
    await expect.poll(async () => (await Promise.all(citizens.map((c) => messagesTo(c.phone)))).filter((m) => m.length > 0).length, { timeout: 120_000, interval: 300 }).toBe(citizens.length)
    await inject('whatsapp', { from: fine!.phone, reply: { id: safetyPollPayload(alertId, 'ok') } })
    await inject('whatsapp', { from: helpByText!.phone, text: '2 siamo bloccati al primo piano' })
    await inject('sms', { from: helpBySms!.phone, body: '2' })

    await panel.getByTestId('sondaggio-bene').filter({ hasText: /^1$/ }).waitFor({ timeout: 60_000 })
    await panel.getByTestId('sondaggio-aiuto').filter({ hasText: /^2$/ }).waitFor({ timeout: 60_000 })
    await panel.getByTestId('sondaggio-in-attesa').filter({ hasText: /^2$/ }).waitFor({ timeout: 60_000 })
    await page.getByTestId('cronologia').getByText(/^Richieste di aiuto: \d nuov[ae] \(totale 2\), avvisato il personale di turno$/).waitFor({ timeout: 60_000 })
    await expectAccessible(page)

    // The reminder, now, after a confirmation: to the two who have not answered.
    const before = new Map(await Promise.all(citizens.map(async (c) => [c.phone, (await messagesTo(c.phone)).length] as const)))
    await panel.getByRole('button', { name: 'Invia ora il promemoria' }).click()
    await dialog.waitFor()
    await dialog.getByText('ai cittadini che l’hanno ricevuto e non hanno ancora risposto').waitFor()
    await expectAccessible(page)
    await dialog.getByRole('button', { name: 'Invia il promemoria' }).click()
    await page.getByText('Promemoria in invio ai cittadini che non hanno ancora risposto.').waitFor({ timeout: 30_000 })
    expect(await panel.getByRole('button', { name: 'Invia ora il promemoria' }).count()).toBe(0)
    await page.getByTestId('cronologia').getByText('Promemoria inviato a 2 cittadini').waitFor({ timeout: 60_000 })
    await panel.getByTestId('sondaggio-promemoria').filter({ hasText: 'Promemoria inviato a 2 cittadini' }).waitFor()
    const reminded = await Promise.all(citizens.map(async (c) => (await messagesTo(c.phone)).length > before.get(c.phone)!))
    expect(citizens.filter((_, i) => reminded[i]).map((c) => c.phone).sort()).toEqual([silent!.phone, asker!.phone].sort())
    await expectAccessible(page)

    // The all-clear asks nothing, and closes the poll with its count.
    await page.getByRole('button', { name: 'Cessato allarme' }).click()
    await dialog.waitFor()
    expect(await dialog.getByTestId('sondaggio-scelta').count()).toBe(0)
    await dialog.getByLabel('Testo per i cittadini (obbligatorio)').fill('Cessata l’allerta meteo: la situazione è tornata alla normalità.')
    await dialog.getByRole('button', { name: 'Invia' }).click()
    await page.getByText('Cessato allarme inviato.').waitFor({ timeout: 30_000 })
    await expect
      .poll(async () => ((await fromPage(page, 'GET', `/api/broadcast/v1/emergencies/${alertId}/timeline`)).body?.entries as Array<{ kind: string }> | undefined)?.some((e) => e.kind === 'poll-closed'), { timeout: 120_000, interval: 500 })
      .toBe(true)
    await page.reload()
    await page.getByTestId('cronologia').getByText('Sondaggio chiuso: 1 sta bene, 2 chiedono aiuto').waitFor({ timeout: 30_000 })
    await panel.getByTestId('sondaggio-stato').filter({ hasText: /^Chiuso$/ }).waitFor({ timeout: 30_000 })
    await expectAccessible(page)

    // At the desk: the help requests first, said in words, then the older question.
    const desk = await setup.signInFresh(`desk.${TENANT.id}`, { returnTo: '/sportello' })
    await desk.getByRole('heading', { level: 1, name: 'Sportello' }).waitFor()
    const rows = desk.getByTestId('conversazioni').locator('tbody tr')
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(3)
    const phones = [helpByText!.phone, helpBySms!.phone]
    for (const i of [0, 1]) await rows.nth(i).getByText('Richiesta di aiuto', { exact: true }).waitFor()
    expect(new Set(await Promise.all([0, 1].map(async (i) => (await rows.nth(i).getByRole('link').first().textContent())?.trim())))).toEqual(new Set(phones))
    await rows.nth(2).getByText(QUESTION).waitFor()
    expect(await rows.nth(2).getByText('Richiesta di aiuto').count()).toBe(0)
    await desk.getByTestId('richieste-di-aiuto').filter({ hasText: '2 cittadini chiedono aiuto' }).waitFor()
    await expectAccessible(desk)

    await rows.filter({ hasText: helpByText!.phone }).getByRole('link', { name: helpByText!.phone }).click()
    await desk.getByRole('heading', { level: 1, name: `Conversazione con ${helpByText!.phone}` }).waitFor()
    const message = desk.getByTestId('cronologia').getByRole('listitem').filter({ hasText: '2 siamo bloccati al primo piano' })
    await message.getByText('Richiesta di aiuto', { exact: true }).waitFor()
    await expectAccessible(desk)
  }, 400_000)
})
