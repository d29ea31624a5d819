import { readFile } from 'node:fs/promises'
import type { DataSubjectExport } from '@banditore/contracts'
import type { Page } from 'playwright-core'
import writeXlsxFile from 'write-excel-file/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { audienceOf, expectAccessible, launchChromium, startConsoleWorld, type ConsoleWorld, type RunningChromium } from './support/index.js'

// The subscribers and privacy screens in the browser: Ancona's privacy officer finds a citizen by
// the number as people type it, reads the subscriber's page and consent history, downloads the
// export and erases the number (gone from search, its export not found); Corbetta's desk types in
// a paper form signed at the counter and imports a list, seeing the bad rows first.
let world: ConsoleWorld
let browser: RunningChromium
let deskBrowser: RunningChromium
const [kept, erased] = audienceOf('ancona', 2, { from: 4200, topics: ['eventi'] })

/** fetch() from the page through the console (its cookie, CSRF token and tenant header). */
async function fromPage(page: Page, method: string, path: string, body?: unknown) {
  return await page.evaluate(
    async ({ method, path, body }) => {
      const session = (await (await fetch('/auth/session')).json()) as { csrfToken: string }
      const response = await fetch(path, {
        method,
        headers: { accept: 'application/json', 'x-csrf-token': session.csrfToken, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      return { status: response.status }
    },
    { method, path, body },
  )
}

async function search(page: Page, query: string) {
  await page.getByLabel('Numero di telefono o nome').fill(query)
  await page.getByRole('button', { name: 'Cerca' }).click()
}

beforeAll(async () => {
  // The worker and moderation answer a privacy export for what they hold of the number.
  world = await startConsoleWorld({ services: ['subscriptions', 'moderation', 'worker'] })
  await world.addSubscribers([kept!, erased!])
  browser = await launchChromium()
  deskBrowser = await launchChromium()
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await deskBrowser?.close()
  await world?.stop()
})

describe('subscribers and privacy in the console', () => {
  it('finds a subscriber, shows the consent history, downloads the export and erases the number', async () => {
    const page = await browser.newPage()
    await world.signIn(page, 'privacy-officer.ancona', { returnTo: '/iscritti' })
    await page.getByRole('heading', { level: 1, name: 'Iscritti' }).waitFor()
    await expectAccessible(page)

    // The number as a person types it: national, with spaces.
    const typed = `${erased!.phone.slice(3, 6)} ${erased!.phone.slice(6, 9)} ${erased!.phone.slice(9)}`
    await search(page, typed)
    await page.getByRole('link', { name: erased!.phone }).click()
    await page.getByRole('heading', { level: 1, name: `Scheda iscritto ${erased!.phone}` }).waitFor()
    await page.getByTestId('stato-iscritto').filter({ hasText: 'Iscritto' }).waitFor()
    await page.getByTestId('storico-consenso').getByText('Ha scritto «ISCRIVIMI» via WhatsApp.').waitFor()
    await expectAccessible(page)

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Scarica i dati (esportazione)' }).click()])
    expect(download.suggestedFilename()).toMatch(/^banditore-ancona-.+\.json$/)
    const exported = JSON.parse(await readFile((await download.path())!, 'utf8')) as DataSubjectExport
    expect(exported).toMatchObject({ version: 3, tenant: 'ancona', phone: erased!.phone, subscriber: { status: 'active' }, sends: [], moderation: { senderHistory: null, reviewItems: [] } })
    expect(exported.consentLedger).toHaveLength(1)
    const id = new URL(page.url()).pathname.split('/').at(-1) as string

    await page.getByRole('button', { name: 'Cancella i dati' }).click()
    const dialog = page.getByRole('dialog')
    await dialog.getByText('prova anonimizzata del consenso e della sua revoca').waitFor()
    await expectAccessible(page)
    await dialog.getByLabel('Motivo o riferimento della richiesta (facoltativo)').fill('richiesta art. 17, prot. 77')
    await dialog.getByRole('button', { name: 'Cancella i dati' }).click()
    await page.getByRole('heading', { level: 1, name: 'Iscritti' }).waitFor()

    await search(page, erased!.phone)
    await page.getByTestId('nessun-risultato').waitFor()
    expect((await fromPage(page, 'POST', `/api/subscriptions/staff/ancona/subscribers/${id}/export`, {})).status).toBe(404)
    await page.goto(`${world.url}/iscritti/${id}`)
    await page.getByText('Questo cittadino non è presente').waitFor()
    await expectAccessible(page)

    // The other subscriber is untouched.
    await page.goto(`${world.url}/iscritti`)
    await search(page, kept!.phone)
    await page.getByRole('link', { name: kept!.phone }).waitFor()
  })

  it('records a paper form signed at the counter and imports a list after its preview', async () => {
    const page = await deskBrowser.newPage()
    await world.signIn(page, 'desk.corbetta', { returnTo: '/iscritti/modulo-cartaceo' })
    await page.getByRole('heading', { level: 1, name: 'Modulo cartaceo' }).waitFor()
    await page.getByLabel('Numero di telefono').fill('347 555 0101')
    await page.getByLabel('Nome e cognome').fill('Giulia Verdi')
    await page.getByLabel('Numero del modulo (protocollo)').fill('URP-2026-0042')
    await page.locator('label[for="modulo-argomento-eventi"]').click()
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Registra il modulo' }).click()
    await page.getByRole('status').filter({ hasText: 'richiesta di conferma' }).waitFor()
    await page.getByRole('link', { name: 'Apri la scheda' }).click()
    await page.getByTestId('storico-consenso').getByText(/Ha firmato il modulo cartaceo n\. URP-2026-0042/).waitFor()
    await expectAccessible(page)

    await page.goto(`${world.url}/iscritti/importazioni`)
    await page.getByRole('heading', { level: 1, name: 'Importa un elenco' }).waitFor()
    const csv = ['telefono;nome;argomenti', '347 555 0201;Anna Neri;eventi', '+393475550202;Luca Blu;', '12345;Numero sbagliato;', '347 555 0201;Anna di nuovo;', '3475550203;Sara Gialli;eventi'].join('\n')
    await page.getByLabel('File dell’elenco (Excel .xlsx o CSV)').setInputFiles({ name: 'lista-broadcast.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: 'Controlla il file' }).click()
    const problems = page.getByTestId('problemi-import')
    await problems.getByRole('heading', { name: 'Ci sono 2 problemi nel file' }).waitFor()
    await problems.getByRole('row', { name: /4 12345 Numero sbagliato Numero non valido/ }).waitFor()
    await problems.getByRole('row', { name: /5 347 555 0201 Anna di nuovo Numero ripetuto nel file/ }).waitFor()
    await page.getByTestId('riepilogo-import').filter({ hasText: '5 righe: 3 da importare, 2 con problemi.' }).waitFor()
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Importa 3 cittadini' }).click()
    await page.getByTestId('avanzamento-import').filter({ hasText: 'Importazione completata: 3 di 3 righe, 3 richieste di conferma inviate' }).waitFor({ timeout: 30_000 })
    await expectAccessible(page)

    // The same file again: recognised, nothing imported twice.
    await page.reload()
    await page.getByLabel('File dell’elenco (Excel .xlsx o CSV)').setInputFiles({ name: 'copia.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
    await page.getByRole('button', { name: 'Controlla il file' }).click()
    await page.getByText('Questo file era già stato caricato').waitFor()
    expect(await page.getByRole('button', { name: /Importa \d+ cittadini/ }).count()).toBe(0)
    await page.close()
  })

  it('imports a workbook of 2,000 rows, 50 of them bad, with the consent the municipality documented', async () => {
    const n = (value: number) => new Intl.NumberFormat('it-IT').format(value)
    // The list as the URP keeps it in Excel: numbers typed as numbers, 30 of them wrong, 20 twice.
    const good = Array.from({ length: 1950 }, (_, i) => 393476000000 + i)
    const rows: Array<Array<string | number>> = [['Cellulare', 'Nome']]
    good.forEach((phone, i) => rows.push([phone, `Cittadino ${i}`]))
    for (let i = 0; i < 30; i++) rows.splice(60 * i + 2, 0, [`12${i}`, `Numero sbagliato ${i}`])
    for (let i = 0; i < 20; i++) rows.push([good[i]!, `Doppione ${i}`])
    const workbook = await writeXlsxFile(rows).toBuffer()

    // Another session at the desk's browser: a fresh tab, no cookie of the earlier sign-in.
    const page = await deskBrowser.freshTab()
    await world.signIn(page, 'desk.corbetta', { returnTo: '/iscritti/importazioni' })
    await page.getByRole('heading', { level: 1, name: 'Importa un elenco' }).waitFor()
    await page.getByLabel('File dell’elenco (Excel .xlsx o CSV)').setInputFiles({
      name: 'lista-urp.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: workbook,
    })
    await page.getByRole('button', { name: 'Controlla il file' }).click()
    const problems = page.getByTestId('problemi-import')
    await problems.getByRole('heading', { name: 'Ci sono 50 problemi nel file' }).waitFor({ timeout: 60_000 })
    await problems.getByText('Numero non valido: 30').waitFor()
    await problems.getByText('Numero ripetuto nel file: 20').waitFor()
    await problems.getByRole('row', { name: /3 120 Numero sbagliato 0 Numero non valido/ }).waitFor()
    await page.getByTestId('riepilogo-import').filter({ hasText: `${n(2000)} righe: ${n(1950)} da importare, 50 con problemi.` }).waitFor()
    await expectAccessible(page)

    // Bootstrap Italia draws the radio on its label: the label is what a person clicks.
    await page.locator('label[for="modo-consenso"]').click()
    expect(await page.getByLabel('Il Comune ha già il consenso documentato', { exact: false }).isChecked()).toBe(true)
    await page.getByLabel('Fonte del consenso').fill('Lista broadcast WhatsApp del Comune')
    await page.getByLabel('Data del consenso').fill('2025-09-01')
    await page.getByLabel('Riferimento del documento').fill('Prot. 2025/0815')
    await page.getByRole('button', { name: `Importa ${n(1950)} cittadini` }).click()
    await page
      .getByTestId('avanzamento-import')
      .filter({ hasText: `Importazione completata: ${n(1950)} di ${n(1950)} righe, ${n(1950)} iscritti con consenso importato` })
      .waitFor({ timeout: 120_000 })
    await expectAccessible(page)

    // The same workbook again: recognised, nobody imported twice.
    await page.reload()
    await page.getByLabel('File dell’elenco (Excel .xlsx o CSV)').setInputFiles({
      name: 'lista-urp-copia.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: workbook,
    })
    await page.getByRole('button', { name: 'Controlla il file' }).click()
    await page.getByText('Questo file era già stato caricato').waitFor()
    expect(await page.getByRole('button', { name: /Importa [\d.]+ cittadini/ }).count()).toBe(0)
    await page.close()
  }, 240_000)
})
