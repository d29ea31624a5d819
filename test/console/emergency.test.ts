import { mkdir, readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { expectAccessible, useConsoleWorld } from './support/console-suite.js'
import { signIn } from './support/sign-in.js'

// An emergency from the browser: civil protection of Gressan launches a ready-made alert in three
// clicks after signing in, and an acknowledgement on an official's behalf appears on the timeline.
// Civil protection of Corbetta uploads a region's CAP 1.2 alert, reviews it as a draft, sends it,
// then sends the all-clear linked to it.
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1'
const setup = useConsoleWorld({}, 300_000)

describe('emergencies in the console', () => {
  it('launches from a template in three clicks, with a countdown, and shows the acknowledgement', async () => {
    const page = await setup.browser.newPage()
    await signIn(page, setup.world.url, 'civil-protection.gressan')
    await page.getByRole('heading', { level: 1, name: 'Cruscotto' }).waitFor()
    await expectAccessible(page)

    await page.getByRole('link', { name: 'Emergenze' }).click() // 1
    await page.getByRole('button', { name: 'Allerta meteo arancione' }).click() // 2
    await page.getByRole('dialog').waitFor()
    await expectAccessible(page)
    // Cancelling during the countdown sends nothing.
    await page.getByRole('button', { name: 'Conferma invio' }).click()
    await page.getByTestId('conto-alla-rovescia').waitFor()
    await page.getByRole('button', { name: 'Ferma l’invio' }).click()
    await page.getByRole('dialog').waitFor({ state: 'hidden' })
    expect(new URL(page.url()).pathname).toBe('/emergenze')

    await page.getByRole('button', { name: 'Allerta meteo arancione' }).click()
    await page.getByRole('button', { name: 'Conferma invio' }).click() // 3
    await page.waitForURL(/\/emergenze\/[0-9a-f-]{36}$/, { timeout: 30_000 })
    await page.getByTestId('cronologia').getByText('Responsabile avvisato').first().waitFor({ timeout: 60_000 })
    await expectAccessible(page)

    await page.getByRole('button', { name: 'Registra presa in carico' }).click()
    await page.getByLabel('Per conto di').selectOption({ label: 'Syndic de Gressan' })
    await page.getByLabel('Motivo (obbligatorio)').fill('Il sindaco ha telefonato alla sala operativa')
    await page.getByRole('dialog').getByRole('button', { name: 'Registra' }).click()
    await page.getByTestId('presa-in-carico').filter({ hasText: 'Syndic de Gressan' }).waitFor({ timeout: 30_000 })
    await page.getByTestId('cronologia').getByText('per conto di Syndic de Gressan').waitFor({ timeout: 30_000 })
    await expectAccessible(page)
    if (SCREENSHOTS) {
      await mkdir(new URL('../../docs/screenshots/', import.meta.url), { recursive: true })
      await page.screenshot({ path: new URL('../../docs/screenshots/emergency.png', import.meta.url).pathname, fullPage: true })
    }
  }, 300_000)

  it('uploads a CAP file, reviews it as a draft, sends it, then sends the all-clear linked to it', async () => {
    // The region's file, still valid: its <expires> moved a day ahead (CAP wants a numeric offset).
    const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, '+00:00')
    const fixture = await readFile(new URL('../../services/broadcast/src/cap/fixtures/valid/lombardia-allerta-arancione.xml', import.meta.url), 'utf8')
    const xml = fixture.replace(/<expires>[^<]*<\/expires>/g, `<expires>${expires}</expires>`)

    // Another person at the same browser: the earlier tabs, still live, are closed first.
    const page = await setup.signInFresh('civil-protection.corbetta', { returnTo: '/emergenze' })
    await page.getByRole('heading', { level: 1, name: 'Emergenze' }).waitFor()
    await page.getByLabel('File CAP 1.2 (XML)').setInputFiles({ name: 'lombardia-allerta-arancione.xml', mimeType: 'application/xml', buffer: Buffer.from(xml) })
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Carica e rivedi come bozza' }).click()
    await page.waitForURL(/\/emergenze\/[0-9a-f-]{36}$/, { timeout: 30_000 })
    const alertUrl = page.url()

    // The draft to review: the file's words, nothing sent yet.
    await page.getByText('Bozza', { exact: true }).waitFor()
    await page.getByText('da file CAP').waitFor()
    await page.getByRole('heading', { level: 1 }).waitFor()
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Invia ora l’allerta' }).click()
    await page.getByRole('dialog').waitFor()
    await page.getByLabel('Perché si salta l’approvazione (obbligatorio)').fill('Allerta regionale arancione: invio immediato')
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Invia' }).click()
    await page.getByText('Allerta inviata.').waitFor()
    await page.getByText('In corso', { exact: true }).waitFor({ timeout: 30_000 })
    await page.getByTestId('cronologia').getByText('Allerta inviata').first().waitFor({ timeout: 60_000 })
    await expectAccessible(page)

    // The all-clear, linked to the alert.
    await page.getByRole('button', { name: 'Cessato allarme' }).click()
    await page.getByRole('dialog').waitFor()
    await page.getByLabel('Testo per i cittadini (obbligatorio)').fill('Cessata l’allerta idrogeologica: la situazione è tornata alla normalità.')
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Invia' }).click()
    await page.getByText('Cessato allarme inviato.').waitFor({ timeout: 30_000 })
    const followUp = page.getByRole('link', { name: 'Cessato allarme' })
    await followUp.waitFor({ timeout: 30_000 })
    await expectAccessible(page)
    await followUp.click()
    await page.waitForURL((url) => url.href !== alertUrl && /\/emergenze\/[0-9a-f-]{36}$/.test(url.pathname))
    await page.getByRole('heading', { level: 1, name: /^Cessato allarme: / }).waitFor()
    await page.getByText('Cessato allarme · gravità').waitFor()
    const back = page.getByRole('link', { name: 'l’allerta precedente' })
    expect(new URL(await back.getAttribute('href') ?? '', setup.world.url).href).toBe(alertUrl)
    await expectAccessible(page)
  }, 300_000)

  it('refuses the launch to an operator: refusal page and 403', async () => {
    // Another person at the same browser: the earlier tabs, still live, are closed first.
    const page = await setup.signInFresh('operator.gressan', { returnTo: '/token' })
    await page.getByRole('heading', { level: 1, name: 'Accesso non consentito' }).waitFor()
    await expectAccessible(page)
    const status = await page.evaluate(async () => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string }
      const response = await fetch('/api/broadcast/v1/emergency-templates', { headers: { 'x-csrf-token': session.csrfToken } })
      return response.status
    })
    expect(status).toBe(403)
  }, 120_000)
})
