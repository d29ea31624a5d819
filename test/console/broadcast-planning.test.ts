import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectAccessible, fromPage } from './support/console-suite.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { signIn } from './support/sign-in.js'

// The pre-election guard, quiet hours and the pre-flight plan from the browser: an admin of
// Ancona puts an electoral period in the calendar and changes the quiet hours; the dashboard and
// the broadcast pages say the period is in force; an approver reads the plan of a draft and must
// state why it is impersonal and indispensable before approving it.
const TENANT = 'ancona'
const STATEMENT = 'Avviso di chiusura strade per lavori: comunicazione impersonale e indispensabile.'

/** Local `YYYY-MM-DDTHH:MM` in Europe/Rome, `hours` from now (what a datetime-local field takes). */
const romeIn = (hours: number) =>
  new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .format(new Date(Date.now() + hours * 3_600_000))
    .replace(' ', 'T')

let world: ConsoleWorld
let admin: RunningChromium
let staff: RunningChromium
let reviewer: RunningChromium

beforeAll(async () => {
  // Without moderation: the draft is saved unchecked, and the approver acknowledges that too.
  world = await startConsoleWorld({ services: ['simulator', 'subscriptions', 'broadcast', 'worker'] })
  admin = await launchChromium()
  staff = await launchChromium()
  reviewer = await launchChromium()
}, 300_000)

afterAll(async () => {
  await admin?.close()
  await staff?.close()
  await reviewer?.close()
  await world?.stop()
})

describe('electoral periods, quiet hours and the plan in the console', () => {
  it('lets an admin set an electoral period and quiet hours, refusing impossible dates', async () => {
    const page = await admin.newPage()
    await signIn(page, world.url, `admin.${TENANT}`)
    await page.getByRole('link', { name: 'Periodi elettorali', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Periodi elettorali e ore di silenzio' }).waitFor()
    await page.getByText('Nessun periodo elettorale in calendario.').waitFor()
    await expectAccessible(page)

    // The polls cannot close before the calling: refused in Italian, nothing added.
    await page.getByLabel('Nome', { exact: true }).fill('Elezioni comunali')
    await page.getByLabel('Convocazione dei comizi').fill(romeIn(24))
    await page.getByLabel('Chiusura dei seggi').fill(romeIn(-24))
    await page.getByRole('button', { name: 'Aggiungi il periodo' }).click()
    await page.getByRole('alert').filter({ hasText: 'la chiusura dei seggi deve seguire la convocazione dei comizi' }).waitFor()
    expect(await page.getByRole('table').count()).toBe(0)

    await page.getByLabel('Convocazione dei comizi').fill(romeIn(-24))
    await page.getByLabel('Chiusura dei seggi').fill(romeIn(24))
    await page.getByRole('button', { name: 'Aggiungi il periodo' }).click()
    await page.getByText('Periodo “Elezioni comunali” aggiunto.').waitFor()
    await page.getByRole('row', { name: /Elezioni comunali .* In corso/ }).waitFor()
    expect((await fromPage(page, 'GET', '/api/broadcast/v1/electoral-periods')).body?.periods).toHaveLength(1)
    await page.getByTestId('periodo-elettorale').filter({ hasText: 'Periodo elettorale in corso: Elezioni comunali' }).waitFor()
    await expectAccessible(page)

    await page.getByLabel('Dalle', { exact: true }).fill('22:30')
    await page.getByLabel('Alle', { exact: true }).fill('07:00')
    await page.getByRole('button', { name: 'Salva le ore di silenzio' }).click()
    await page.getByText('Ore di silenzio salvate.').waitFor()
    expect((await fromPage(page, 'GET', '/api/broadcast/v1/quiet-hours')).body).toMatchObject({ enabled: true, start: '22:30', end: '07:00', timeZone: 'Europe/Rome' })

    // The dashboard says the period is in force.
    await page.getByRole('link', { name: 'Cruscotto', exact: true }).click()
    await page.getByTestId('periodo-elettorale').waitFor()
    await expectAccessible(page)
  }, 180_000)

  it('shows the plan of a draft and asks its approver for the statement the period requires', async () => {
    const operator = await staff.newPage()
    await signIn(operator, world.url, `operator.${TENANT}`)
    const created = await fromPage(operator, 'POST', '/api/broadcast/v1/broadcasts', {
      title: 'Chiusura strade',
      topics: ['viabilita'],
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Lunedì chiusa via Roma per lavori', 'www.comune.ancona.gov.it'] } } },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body?.id as string

    const approver = await reviewer.newPage()
    await signIn(approver, world.url, `approver.${TENANT}`, { returnTo: `/comunicazioni/${id}` })
    await approver.getByTestId('periodo-elettorale').waitFor()
    await approver.getByRole('heading', { name: 'Piano di invio' }).waitFor()
    await approver.getByTestId('piano-totale').waitFor({ timeout: 30_000 })
    await approver.getByText('Fascia di silenzio: dalle 22:30 alle 07:00.').waitFor()
    await expectAccessible(approver)

    await approver.getByRole('button', { name: 'Approva' }).click()
    const dialog = approver.getByRole('dialog')
    await dialog.waitFor()
    const confirm = dialog.getByRole('button', { name: 'Approva' })
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel(/Perché la comunicazione è impersonale e indispensabile/).fill('troppo breve')
    expect(await confirm.isDisabled()).toBe(true)
    await dialog.getByLabel(/Perché la comunicazione è impersonale e indispensabile/).fill(STATEMENT)
    expect(await confirm.isDisabled()).toBe(false)
    await approver.locator('label[for="conferma-controllo"]').click()
    await expectAccessible(approver)
    await confirm.click()
    await approver.getByTestId('stato').filter({ hasText: 'Approvata' }).waitFor()
    await approver.getByTestId('dichiarazione').filter({ hasText: STATEMENT }).waitFor()
    await approver.getByText(`(dichiarazione: ${STATEMENT})`).waitFor()
    await expectAccessible(approver)
  }, 180_000)
})
