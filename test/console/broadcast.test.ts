import { mkdir, readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { expectAccessible, fromPage } from './support/console-suite.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { signIn } from './support/sign-in.js'

// A broadcast from the browser, end to end: an operator of Ancona composes it, an approver (another
// person, another browser) approves it, it is sent, and the progress reaches 100 % while the
// simulator records each subscriber once. One citizen's message is accepted, then fails delivery:
// the finished report counts it, and the approver downloads the failures as CSV.
const TENANT = { id: 'ancona', whatsapp: '+393667695184' }
const CITIZENS = ['+393471110001', '+393471110002', '+393471110003']
const SCREENSHOTS = process.env.CONSOLE_SCREENSHOTS === '1'

let world: ConsoleWorld
let operator: RunningChromium
let approver: RunningChromium

async function screenshot(page: Page, name: string) {
  if (!SCREENSHOTS) return
  await mkdir(new URL('../../docs/screenshots/', import.meta.url), { recursive: true })
  await page.screenshot({ path: new URL(`../../docs/screenshots/${name}.png`, import.meta.url).pathname, fullPage: true })
}

beforeAll(async () => {
  // The send runs at whatever hour the test does: no quiet hours.
  world = await startConsoleWorld({ env: { QUIET_HOURS_DEFAULT: 'off' } })
  const sim = world.serviceUrls.simulator as string
  for (const phone of CITIZENS) {
    const injected = await fetch(`${sim}/_sim/inbound/whatsapp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: TENANT.whatsapp, from: phone, text: 'Iscrivimi' }),
    })
    expect(injected.status).toBeLessThan(300)
  }
  operator = await launchChromium()
  approver = await launchChromium()
}, 300_000)

afterAll(async () => {
  await operator?.close()
  await approver?.close()
  await world?.stop()
})

describe('broadcasts in the console', () => {
  it('composes, approves with four eyes, sends and follows the progress to 100 %', async () => {
    const page = await operator.newPage()
    await signIn(page, world.url, `operator.${TENANT.id}`)
    // The dashboard counts the three new subscribers once subscriptions has them.
    await waitUntil(async () => ((await fromPage(page, 'GET', '/api/broadcast/v1/overview')).body?.subscribers as { total?: number } | null)?.total === CITIZENS.length, {
      timeoutMs: 60_000,
      what: 'three subscribers counted',
      intervalMs: 500,
    })
    await page.goto(`${world.url}/`)
    await page.getByRole('heading', { level: 1, name: 'Cruscotto' }).waitFor()
    await page.getByText('Per canale').waitFor()
    await expectAccessible(page)
    await screenshot(page, 'dashboard')

    await page.getByRole('link', { name: 'Comunicazioni', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Comunicazioni' }).waitFor()
    await expectAccessible(page)
    await page.getByRole('link', { name: 'Nuova comunicazione' }).first().click()
    await page.getByRole('heading', { level: 1, name: 'Nuova comunicazione' }).waitFor()
    await page.getByLabel('Titolo (solo per il personale)').fill('Festa del porto')
    // Bootstrap Italia draws the box on the label: click it as a person does.
    await page.locator('label[for="argomento-eventi"]').click()
    expect(await page.getByLabel('EVENTI').isChecked()).toBe(true)
    await page.getByLabel("{{1}} Testo dell'avviso").fill('sabato sera la festa del porto con musica dal vivo')
    await page.getByLabel('{{2}} Dove informarsi').fill('www.comune.ancona.gov.it')
    // The dry run counts the audience and checks the text as the editor types.
    await page.getByTestId('pubblico-totale').filter({ hasText: String(CITIZENS.length) }).waitFor({ timeout: 30_000 })
    await page.getByText('Nessun problema rilevato.').waitFor({ timeout: 30_000 })
    await expectAccessible(page)
    await screenshot(page, 'compose')
    await page.getByRole('button', { name: 'Invia per approvazione' }).click()
    await page.getByTestId('stato').filter({ hasText: 'Bozza da approvare' }).waitFor()
    const id = new URL(page.url()).pathname.split('/').at(-1) as string
    await expectAccessible(page)

    // The author cannot approve: the API refuses (four eyes), the page does not offer it.
    expect(await page.getByRole('button', { name: 'Approva' }).count()).toBe(0)
    expect((await fromPage(page, 'POST', `/api/broadcast/v1/broadcasts/${id}/approve`, {})).status).toBe(403)

    const second = await approver.newPage()
    await signIn(second, world.url, `approver.${TENANT.id}`, { returnTo: `/comunicazioni/${id}` })
    await second.getByRole('button', { name: 'Approva' }).click()
    await second.getByRole('dialog').waitFor()
    await expectAccessible(second)
    await second.getByRole('dialog').getByRole('button', { name: 'Approva' }).click()
    await second.getByTestId('stato').filter({ hasText: 'Approvata' }).waitFor()
    // The provider accepts the third citizen's message, then reports it undeliverable.
    const faults = await fetch(`${world.serviceUrls.simulator}/_sim/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ rules: [{ action: 'fail-delivery', to: CITIZENS[2], errorCode: 131026 }] }),
    })
    expect(faults.status).toBeLessThan(300)
    await second.getByRole('button', { name: 'Invia ora' }).click()
    await second.getByRole('dialog').getByRole('button', { name: 'Invia ora' }).click()
    await second.getByTestId('percentuale').filter({ hasText: '100 % completato' }).waitFor({ timeout: 120_000 })
    await expectAccessible(second)
    await screenshot(second, 'progress')

    // The finished report: counts by state and failure reason, and the failures as CSV.
    await second.getByRole('heading', { name: 'Resoconto dell’invio' }).waitFor({ timeout: 30_000 })
    // Whether every outcome is confirmed by the provider is said, not implied by "completed".
    await expect.poll(async () => await second.getByTestId('esito').textContent(), { timeout: 30_000 }).toMatch(/^Invio terminato(:|, ma \d+ messaggi non hanno ancora una conferma)/)
    await second.getByText('rifiutato dal fornitore (codice 131026): 1').waitFor({ timeout: 60_000 })
    const [download] = await Promise.all([second.waitForEvent('download'), second.getByRole('button', { name: 'Scarica l’elenco dei non riusciti (CSV)' }).click()])
    expect(download.suggestedFilename()).toBe(`non-riusciti-${id}.csv`)
    const csv = await readFile((await download.path()) as string, 'utf8')
    const lines = csv.replace(/^\uFEFF/, '').split('\r\n')
    expect(lines[0]).toBe('Numero di telefono,Canale,Codice motivo,Motivo,Data e ora (UTC)')
    expect(lines[1]).toMatch(new RegExp(`^\\${CITIZENS[2]},WhatsApp,provider:131026,`))
    expect(lines.slice(2)).toEqual([''])
    await second.getByText(`File scaricato: non-riusciti-${id}.csv`).waitFor()
    await expectAccessible(second)
    await second.close()

    // Civil protection may not see citizens' numbers: refusal page, and the API answers 403.
    const civil = await launchChromium()
    try {
      const page3 = await civil.newPage()
      await signIn(page3, world.url, `civil-protection.${TENANT.id}`, { returnTo: `/comunicazioni/${id}` })
      await page3.getByRole('heading', { level: 1, name: 'Accesso non consentito' }).waitFor()
      await expectAccessible(page3)
      const refused = await page3.evaluate(async (path) => {
        const response = await fetch(path)
        return { status: response.status, type: response.headers.get('content-type'), body: await response.text() }
      }, `/api/broadcast/v1/broadcasts/${id}/failures.csv`)
      expect(refused.status).toBe(403)
      expect(refused.type).toContain('application/problem+json')
      expect(refused.body).not.toContain(CITIZENS[2] as string)
    } finally {
      await civil.close()
    }

    // Each subscriber got the broadcast once.
    const records = (await (await fetch(`${world.serviceUrls.simulator}/_sim/messages`)).json()) as { messages?: Array<{ to: string; template?: { name: string } }> } | Array<{ to: string; template?: { name: string } }>
    const list = Array.isArray(records) ? records : (records.messages ?? [])
    const sent = list.filter((m) => m.template?.name === 'avviso_generico').map((m) => m.to.replace(/^\+?/, '+'))
    expect(sent.sort()).toEqual([...CITIZENS].sort())
  }, 300_000)

  it('shows a role without the right the refusal page, and the API refuses with 403', async () => {
    const page = await operator.newPage()
    await page.goto(`${world.url}/token`)
    await page.getByRole('heading', { level: 1, name: 'Accesso non consentito' }).waitFor()
    await expectAccessible(page)
    expect((await fromPage(page, 'POST', '/api/broadcast/v1/tokens', { role: 'operator', holder: 'x@ancona.example', label: 'prova' })).status).toBe(403)
  }, 60_000)
})
