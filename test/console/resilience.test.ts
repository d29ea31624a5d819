import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { expectAccessible } from './support/console-suite.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { signIn } from './support/sign-in.js'

// The bad moments, in real Chromium against the real platform: a session that expires mid-draft,
// two approvals at once, an invalid draft, a dropped progress stream, and the API's refusals.
const TENANT = 'corbetta'
const SMS_DRAFT = { title: 'Lavori in via Roma', topics: ['info-comune'], sms: { texts: { it: 'Comune di Corbetta: lunedì via Roma è chiusa per lavori dalle 8 alle 18.' } } }

let world: ConsoleWorld
let operator: RunningChromium
let approver: RunningChromium
let admin: RunningChromium

/** fetch() from the page through the console (its cookie, CSRF token). */
async function fromPage(page: Page, method: string, path: string, body?: unknown) {
  return await page.evaluate(
    async ({ method, path, body }) => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string }
      const response = await fetch(path, {
        method,
        headers: { accept: 'application/json', 'x-csrf-token': session.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
      return { status: response.status, body: (await response.json().catch(() => undefined)) as any }
    },
    { method, path, body },
  )
}

/** The staff API called directly with an API token, as automation does. */
async function direct(method: string, path: string, token: string, body?: unknown) {
  const response = await fetch(`${world.serviceUrls.broadcast}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
  return { status: response.status, body: (await response.json().catch(() => undefined)) as any }
}

let operatorPage: Page
let approverPage: Page
/** A second approver of the tenant: an API token held by another person. */
let secondApprover: string

beforeAll(async () => {
  world = await startConsoleWorld({ services: ['moderation', 'subscriptions', 'broadcast', 'worker'] })
  ;[operator, approver, admin] = await Promise.all([launchChromium(), launchChromium(), launchChromium()])
  operatorPage = await operator.newPage()
  await signIn(operatorPage, world.url, `operator.${TENANT}`)
  approverPage = await approver.newPage()
  await signIn(approverPage, world.url, `approver.${TENANT}`)
  const adminPage = await admin.newPage()
  await signIn(adminPage, world.url, 'admin')
  const created = await fromPage(adminPage, 'POST', '/api/broadcast/v1/tokens', { tenant: TENANT, role: 'approver', holder: 'seconda.approvatrice@corbetta.example', label: 'seconda approvatrice' })
  expect(created.status).toBe(201)
  secondApprover = created.body.token
}, 300_000)

afterAll(async () => {
  await Promise.all([operator?.close(), approver?.close(), admin?.close()])
  await world?.stop()
})

describe('the console in bad moments', () => {
  it('keeps a draft through an expired session: sign in again and the editor has it', async () => {
    const page = operatorPage
    await page.goto(`${world.url}/comunicazioni/nuova`)
    await page.getByRole('heading', { level: 1, name: 'Nuova comunicazione' }).waitFor()
    await page.getByLabel('Titolo (solo per il personale)').fill('Chiusura del municipio')
    await page.locator('label[for="argomento-info-comune"]').click()
    await page.locator('label[for="usa-sms"]').click()
    await page.getByLabel("{{1}} Testo dell'avviso").fill('venerdì il municipio resta chiuso per la festa patronale')
    await page.getByLabel('{{2}} Dove informarsi').fill('www.comune.corbetta.mi.it')
    await expectAccessible(page)

    // The session ends while the person writes (the idle timeout, as the console's table keeps
    // it), and the provider has forgotten them too: they will have to type the password.
    await world.consoleDb.updateTable('sessions').set({ idle_expires_at: new Date(Date.now() - 1000) }).where('subject', '=', `operator.${TENANT}`).execute()
    await operator.context.clearCookies({ name: /^(?!banditore_session$)/ })

    // Saving sends them to sign in, back to the editor afterwards. The editor's own dry run may
    // have been on its way when the session ended (a busy machine answers it late): its 401 then
    // sends them to sign in first, with the draft kept just the same. Either way, sign-in comes.
    // So the button is pressed once, now, if the editor is still there (a click that waited would
    // press it again after the sign-in).
    await page
      .getByRole('button', { name: 'Invia per approvazione' })
      .evaluate((button) => (button as unknown as { click(): void }).click(), undefined, { timeout: 2_000 })
      .catch((error: unknown) => {
        if (!/Timeout|context was destroyed|navigat/i.test(String(error))) throw error
      })
    await page.getByLabel('Nome utente').waitFor({ timeout: 30_000 })
    expect(new URL(page.url()).origin).toBe(new URL(world.issuer).origin)
    await page.getByLabel('Nome utente').fill(`operator.${TENANT}`)
    await page.getByLabel('Password').fill(world.password)
    await page.getByRole('button', { name: 'Accedi' }).click()
    await page.waitForURL(`${world.url}/comunicazioni/nuova`, { timeout: 30_000 })

    await page.getByText('Abbiamo ripristinato la bozza salvata su questo dispositivo.').waitFor()
    expect(await page.getByLabel('Titolo (solo per il personale)').inputValue()).toBe('Chiusura del municipio')
    expect(await page.getByLabel("{{1}} Testo dell'avviso").inputValue()).toBe('venerdì il municipio resta chiuso per la festa patronale')
    expect(await page.locator('#argomento-info-comune').isChecked()).toBe(true)
    expect(await page.locator('#usa-sms').isChecked()).toBe(false)
    await expectAccessible(page)

    // Submitted now, it is the draft they wrote.
    await page.getByRole('button', { name: 'Invia per approvazione' }).click()
    await page.getByTestId('stato').filter({ hasText: 'Bozza da approvare' }).waitFor()
    await page.getByRole('heading', { level: 1, name: 'Chiusura del municipio' }).waitFor()
    await expectAccessible(page)
  }, 120_000)

  it('names the invalid field in Italian', async () => {
    const page = operatorPage
    await page.goto(`${world.url}/comunicazioni/nuova`)
    await page.getByRole('heading', { level: 1, name: 'Nuova comunicazione' }).waitFor()
    await page.getByLabel('Titolo (solo per il personale)').fill('Senza parametri')
    await page.locator('label[for="argomento-eventi"]').click()
    await page.locator('label[for="usa-sms"]').click()
    // The template's second parameter is left empty.
    await page.getByLabel("{{1}} Testo dell'avviso").fill('concerto in piazza')
    await page.getByRole('button', { name: 'Invia per approvazione' }).click()
    const alert = page.getByRole('alert').filter({ hasText: 'La comunicazione non è stata salvata' })
    await alert.waitFor()
    expect(await alert.textContent()).toContain('Parametri del modello WhatsApp')
    expect(await page.getByLabel('{{2}} Dove informarsi').getAttribute('aria-invalid')).toBe('true')
    expect(await alert.textContent()).not.toMatch(/instancePath|bodyParameters|must NOT/)
    expect(new URL(page.url()).pathname).toBe('/comunicazioni/nuova')
    await expectAccessible(page)
    // Later visits to the editor start empty.
    await page.evaluate(() => (globalThis as unknown as { localStorage: { clear(): void } }).localStorage.clear())
  }, 60_000)

  it('gives one approval when two approvers approve at once; the other reads why not', async () => {
    const created = await fromPage(operatorPage, 'POST', '/api/broadcast/v1/broadcasts', SMS_DRAFT)
    expect(created.status).toBe(201)
    const id = created.body.id as string

    // A tab opened before the race still offers "Approva".
    const stale = await approver.newPage()
    await stale.goto(`${world.url}/comunicazioni/${id}`)
    await stale.getByRole('button', { name: 'Approva' }).waitFor()

    await approverPage.goto(`${world.url}/comunicazioni/${id}`)
    await approverPage.getByRole('button', { name: 'Approva' }).click()
    const dialog = approverPage.getByRole('dialog')
    await dialog.waitFor()
    const [, api] = await Promise.all([dialog.getByRole('button', { name: 'Approva' }).click(), direct('POST', `/v1/broadcasts/${id}/approve`, secondApprover, {})])

    const browserWon = approverPage.getByText('Approva: fatto.')
    const browserLost = approverPage.getByRole('alert').filter({ hasText: 'Azione non eseguita' })
    await browserWon.or(browserLost).waitFor()
    if (await browserWon.isVisible()) {
      expect(api.status).toBe(409)
      expect(api.body.detail).toContain('si può approvare solo una bozza')
    } else {
      expect(api.status).toBe(200)
      expect(await browserLost.textContent()).toContain('si può approvare solo una bozza')
    }
    await expectAccessible(approverPage)

    // The stale tab's approval is refused in words, not a blank page.
    await stale.getByRole('button', { name: 'Approva' }).click()
    await stale.getByRole('dialog').getByRole('button', { name: 'Approva' }).click()
    const refusal = stale.getByRole('alert').filter({ hasText: 'Azione non eseguita' })
    await refusal.waitFor()
    expect(await refusal.textContent()).toContain('si può approvare solo una bozza')
    await expectAccessible(stale)
    await stale.close()

    const audit = await fromPage(operatorPage, 'GET', `/api/broadcast/v1/broadcasts/${id}/audit`)
    expect(audit.body.entries.filter((e: { action: string }) => e.action === 'approved')).toHaveLength(1)
  }, 120_000)

  it('shows a lost connection during progress and reconnects', async () => {
    const created = await fromPage(operatorPage, 'POST', '/api/broadcast/v1/broadcasts', { ...SMS_DRAFT, title: 'Programmata' })
    const id = created.body.id as string
    expect((await direct('POST', `/v1/broadcasts/${id}/approve`, secondApprover, {})).status).toBe(200)
    // Scheduled an hour ahead: the page follows it live, nothing is sent meanwhile.
    const scheduled = await direct('POST', `/v1/broadcasts/${id}/send`, secondApprover, { at: new Date(Date.now() + 3_600_000).toISOString() })
    expect(scheduled.status).toBe(202)

    const page = approverPage
    const streams: string[] = []
    page.on('request', (request) => {
      if (request.url().endsWith(`/v1/broadcasts/${id}/progress/stream`)) streams.push(request.url())
    })
    await page.goto(`${world.url}/comunicazioni/${id}`)
    await page.getByTestId('stato').filter({ hasText: 'Programmata' }).waitFor()
    await page.getByTestId('percentuale').waitFor({ timeout: 30_000 })
    const lost = page.getByRole('status').filter({ hasText: 'Connessione persa, riconnessione…' })
    expect(await lost.count()).toBe(0)

    // The connection drops (the console's sockets cut) and stays down for a while: the open
    // stream breaks, reconnecting fails, and the page says so.
    const stream = `**/api/broadcast/v1/broadcasts/${id}/progress/stream`
    await page.route(stream, (route) => route.abort('internetdisconnected'))
    world.console.server.closeAllConnections()
    await lost.waitFor({ timeout: 30_000 })
    await expectAccessible(page)
    const before = streams.length
    await page.unroute(stream)
    // It reconnects by itself, and progress flows again.
    await lost.waitFor({ state: 'detached', timeout: 30_000 })
    await waitUntil(() => streams.length > before, { what: 'a new progress stream' })
    await page.getByTestId('percentuale').waitFor()
    await expectAccessible(page)
    expect((await direct('POST', `/v1/broadcasts/${id}/cancel`, secondApprover)).status).toBe(202)
  }, 120_000)

  it("turns the API's problem+json into readable Italian, never a stack trace or a blank page", async () => {
    const page = operatorPage
    // Not found (or another municipality's): said so.
    await page.goto(`${world.url}/comunicazioni/00000000-0000-4000-8000-000000000000`)
    await page
      .getByRole('heading', { level: 1, name: 'Pagina non trovata' })
      .waitFor({ timeout: 15_000 })
      .catch(async (error: unknown) => {
        throw new Error(`${String(error)}\npage: ${page.url()}\n${await page.locator('body').innerText()}`)
      })
    await page.getByRole('alert').filter({ hasText: "l'invio 00000000-0000-4000-8000-000000000000 non esiste" }).waitFor()
    await expectAccessible(page)

    // A failing service whose problem carries internals: the person reads a sentence, not them.
    await page.route('**/api/broadcast/v1/broadcasts?**', (route) =>
      route.fulfill({
        status: 500,
        contentType: 'application/problem+json',
        body: JSON.stringify({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'TypeError: x is undefined\n    at listBroadcasts (/app/store.ts:12:3)' }),
      }),
    )
    try {
      await page.goto(`${world.url}/comunicazioni`)
      await page.getByRole('alert').filter({ hasText: 'Si è verificato un errore del servizio. Riprova tra poco.' }).waitFor()
      const text = (await page.locator('main').textContent()) ?? ''
      expect(text).not.toMatch(/TypeError|store\.ts|at listBroadcasts|Internal Server Error/)
      await expectAccessible(page)
    } finally {
      await page.unroute('**/api/broadcast/v1/broadcasts?**')
    }

    // A refusal of the API (a role without the right): its Italian reason.
    await page.goto(`${world.url}/token`)
    await page.getByRole('heading', { level: 1, name: 'Accesso non consentito' }).waitFor()
    await expectAccessible(page)
  }, 60_000)
})
