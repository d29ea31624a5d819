import { describe, expect, it } from 'vitest'
import { expectAccessible, fromPage, useConsoleWorld } from './support/console-suite.js'

// Staff see the municipality's recurring broadcasts and their next sends, and skip one. The
// series is written and approved through the staff API (as the console forwards it), by two people.
const setup = useConsoleWorld({ services: ['subscriptions', 'broadcast'] })

describe('recurring broadcasts in the console', () => {
  it('lists the series with its recurrence in Italian and skips one of its sends', async () => {
    let page = await setup.signInFresh('operator.corbetta', { returnTo: '/comunicazioni-ricorrenti' })
    await page.getByRole('heading', { level: 1, name: 'Comunicazioni ricorrenti' }).waitFor()
    await page.getByText('Nessuna comunicazione ricorrente.').waitFor()
    const created = await fromPage(page, 'POST', '/api/broadcast/v1/recurring-broadcasts', {
      title: 'Raccolta ingombranti',
      topics: ['info-comune'],
      sms: { texts: { it: 'Comune di Corbetta: domani raccolta degli ingombranti su prenotazione.' } },
      recurrence: { dates: ['2031-03-14T08:00', '2031-06-13T08:00', '2031-09-12T08:00'] },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body?.id as string

    page = await setup.signInFresh('approver.corbetta', { returnTo: '/comunicazioni-ricorrenti' })
    // Moderation is not started here: the check could not run, which the approver acknowledges.
    const approved = await fromPage(page, 'POST', `/api/broadcast/v1/recurring-broadcasts/${id}/approve`, { acknowledgeFindings: true })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    await page.reload()

    const row = page.getByRole('row').filter({ hasText: 'Raccolta ingombranti' })
    await row.waitFor()
    expect(await row.textContent()).toContain('3 date annunciate')
    expect(await row.textContent()).toContain('Attiva')
    await expectAccessible(page)
    await row.getByRole('button', { name: 'Invii di «Raccolta ingombranti»' }).click()
    await page.getByRole('heading', { name: 'Invii di «Raccolta ingombranti»' }).waitFor()
    const sends = page.getByRole('row').filter({ hasText: 'In programma' })
    await expect.poll(() => sends.count()).toBe(3)
    await expectAccessible(page)

    await sends.first().getByRole('button', { name: /^Salta l’invio del / }).click()
    await page.getByRole('dialog').waitFor()
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Salta l’invio' }).click()
    await page.getByRole('row').filter({ hasText: 'Saltata' }).waitFor()
    await expect.poll(() => sends.count()).toBe(2)
    await expectAccessible(page)

    const listed = await fromPage(page, 'GET', `/api/broadcast/v1/recurring-broadcasts/${id}/occurrences`)
    expect((listed.body?.occurrences as Array<{ state: string }>).map((o) => o.state)).toEqual(['skipped', 'scheduled', 'scheduled'])
    const audit = await fromPage(page, 'GET', `/api/broadcast/v1/recurring-broadcasts/${id}/audit`)
    expect((audit.body?.entries as Array<{ action: string; holder: string }>).map((e) => [e.action, e.holder])).toEqual([
      ['created', 'operator.corbetta@banditore.local'],
      ['approved', 'approver.corbetta@banditore.local'],
      ['occurrence-skipped', 'approver.corbetta@banditore.local'],
    ])
  }, 180_000)

  it('an operator writes a weekly series in the form, an approver approves it, an edited send is approved, the series is cancelled', async () => {
    let page = await setup.signInFresh('operator.corbetta', { returnTo: '/comunicazioni-ricorrenti' })
    await page.getByRole('link', { name: 'Nuova comunicazione ricorrente' }).click()
    await page.getByRole('heading', { level: 1, name: 'Nuova comunicazione ricorrente' }).waitFor()
    await page.getByLabel('Titolo (solo per il personale)').fill('Raccolta della carta')
    await page.locator('label[for="argomento-info-comune"]').click()
    // SMS only: WhatsApp is on by default for a tenant that has it.
    await page.locator('label[for="usa-whatsapp"]').click()
    await page.locator('#sms-it').fill('Comune di Corbetta: domani raccolta della carta, esporre il contenitore entro le 20.')
    expect(await page.getByLabel('Ogni settimana').isChecked()).toBe(true)
    await page.locator('label[for="ric-giorno-monday"]').click()
    expect(await page.getByLabel('Lunedì').isChecked()).toBe(true)
    await page.getByLabel('Ora di invio').fill('18:00')
    await page.getByLabel('Dal', { exact: true }).fill('2031-01-06')
    // The end before the start: the API names `/recurrence/until`, the form shows it there.
    await page.getByLabel('Fino al').fill('2031-01-01')
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Invia per approvazione' }).click()
    await page.locator('#ric-al-errore').filter({ hasText: 'la data di fine deve seguire quella di inizio' }).waitFor()
    expect(await page.locator('#ric-al').getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('#ric-al').getAttribute('aria-describedby')).toContain('ric-al-errore')
    // The failed submit puts the focus on the field the API named.
    await expect.poll(() => page.locator('#ric-al').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true)
    await expectAccessible(page)

    await page.getByLabel('Fino al').fill('2031-12-29')
    await page.getByRole('button', { name: 'Invia per approvazione' }).click()
    await page.getByRole('heading', { level: 1, name: 'Raccolta della carta' }).waitFor()
    await page.getByTestId('stato').filter({ hasText: 'Da approvare' }).waitFor()
    await page.getByText('ogni lunedì alle 18:00, dal 06/01/2031 al 29/12/2031').waitFor()
    const id = new URL(page.url()).pathname.split('/').at(-1) as string
    await expectAccessible(page)
    // The author is an operator: nothing here approves.
    expect(await page.getByRole('button', { name: 'Approva la serie' }).count()).toBe(0)

    page = await setup.signInFresh('approver.corbetta', { returnTo: `/comunicazioni-ricorrenti/${id}` })
    await page.getByRole('button', { name: 'Approva la serie' }).click()
    await page.getByRole('dialog').waitFor()
    // Moderation is not started here: the check could not run, which the approver acknowledges.
    await page.locator('label[for="conferma-controllo"]').click()
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Approva la serie' }).click()
    await page.getByTestId('stato').filter({ hasText: 'Attiva' }).waitFor()
    const sends = page.getByRole('row').filter({ hasText: 'In programma' })
    await expect.poll(() => sends.count()).toBeGreaterThan(1)
    expect(await sends.first().textContent()).toContain('6 gen 2031')
    await expectAccessible(page)

    // A holiday: the operator replaces the first send's text, another person approves it.
    page = await setup.signInFresh('operator.corbetta', { returnTo: `/comunicazioni-ricorrenti/${id}` })
    await page.getByRole('link', { name: /^Modifica il testo dell’invio del / }).first().click()
    await page.getByRole('heading', { level: 1, name: /^Modifica l’invio del / }).waitFor()
    await expect.poll(() => page.locator('#sms-it').inputValue()).toContain('raccolta della carta')
    await expectAccessible(page)
    await page.locator('#sms-it').fill('Comune di Corbetta: per la festa la raccolta della carta è spostata a martedì.')
    await page.getByRole('button', { name: 'Salva e invia per approvazione' }).click()
    await page.getByRole('heading', { level: 1, name: 'Raccolta della carta' }).waitFor()
    await page.getByRole('row').filter({ hasText: 'Testo modificato, da approvare' }).waitFor()
    await expectAccessible(page)

    page = await setup.signInFresh('approver.corbetta', { returnTo: `/comunicazioni-ricorrenti/${id}` })
    await page.getByRole('button', { name: /^Approva il testo dell’invio del / }).click()
    await page.getByRole('dialog').waitFor()
    await page.locator('label[for="conferma-controllo"]').click()
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Approva il testo' }).click()
    await page.getByRole('row').filter({ hasText: 'Testo modificato, approvato' }).waitFor()

    await page.getByRole('button', { name: 'Annulla la serie' }).click()
    await page.getByRole('dialog').waitFor()
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Annulla la serie' }).click()
    await page.getByTestId('stato').filter({ hasText: 'Annullata' }).waitFor()
    expect(await page.getByRole('button', { name: 'Annulla la serie' }).count()).toBe(0)
    await expectAccessible(page)

    const audit = await fromPage(page, 'GET', `/api/broadcast/v1/recurring-broadcasts/${id}/audit`)
    expect((audit.body?.entries as Array<{ action: string; holder: string }>).map((e) => [e.action, e.holder])).toEqual([
      ['created', 'operator.corbetta@banditore.local'],
      ['approved', 'approver.corbetta@banditore.local'],
      ['occurrence-edited', 'operator.corbetta@banditore.local'],
      ['occurrence-edit-approved', 'approver.corbetta@banditore.local'],
      ['cancelled', 'approver.corbetta@banditore.local'],
    ])
  }, 180_000)
})
