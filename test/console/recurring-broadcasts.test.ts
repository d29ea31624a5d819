import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkAccessibility, describeViolations } from './support/accessibility.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { signIn } from './support/sign-in.js'

// Staff see the municipality's recurring broadcasts and their next sends, and skip one. The
// series is written and approved through the staff API (as the console forwards it), by two people.
let world: ConsoleWorld
let browser: RunningChromium

async function accessible(page: Page) {
  const violations = await checkAccessibility(page)
  expect(violations, describeViolations(violations)).toEqual([])
}

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
      return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> | undefined }
    },
    { method, path, body },
  )
}

beforeAll(async () => {
  world = await startConsoleWorld({ services: ['subscriptions', 'broadcast'] })
  browser = await launchChromium()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await world?.stop()
})

describe('recurring broadcasts in the console', () => {
  it('lists the series with its recurrence in Italian and skips one of its sends', async () => {
    let page = await browser.freshTab()
    await signIn(page, world.url, 'operator.corbetta', { returnTo: '/comunicazioni-ricorrenti' })
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

    page = await browser.freshTab()
    await signIn(page, world.url, 'approver.corbetta', { returnTo: '/comunicazioni-ricorrenti' })
    // Moderation is not started here: the check could not run, which the approver acknowledges.
    const approved = await fromPage(page, 'POST', `/api/broadcast/v1/recurring-broadcasts/${id}/approve`, { acknowledgeFindings: true })
    expect(approved.status, JSON.stringify(approved.body)).toBe(200)
    await page.reload()

    const row = page.getByRole('row').filter({ hasText: 'Raccolta ingombranti' })
    await row.waitFor()
    expect(await row.textContent()).toContain('3 date annunciate')
    expect(await row.textContent()).toContain('Attiva')
    await accessible(page)
    await row.getByRole('button', { name: 'Invii di «Raccolta ingombranti»' }).click()
    await page.getByRole('heading', { name: 'Invii di «Raccolta ingombranti»' }).waitFor()
    const sends = page.getByRole('row').filter({ hasText: 'In programma' })
    await expect.poll(() => sends.count()).toBe(3)
    await accessible(page)

    await sends.first().getByRole('button', { name: /^Salta l’invio del / }).click()
    await page.getByRole('dialog').waitFor()
    await accessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Salta l’invio' }).click()
    await page.getByRole('row').filter({ hasText: 'Saltata' }).waitFor()
    await expect.poll(() => sends.count()).toBe(2)
    await accessible(page)

    const listed = await fromPage(page, 'GET', `/api/broadcast/v1/recurring-broadcasts/${id}/occurrences`)
    expect((listed.body?.occurrences as Array<{ state: string }>).map((o) => o.state)).toEqual(['skipped', 'scheduled', 'scheduled'])
    const audit = await fromPage(page, 'GET', `/api/broadcast/v1/recurring-broadcasts/${id}/audit`)
    expect((audit.body?.entries as Array<{ action: string; holder: string }>).map((e) => [e.action, e.holder])).toEqual([
      ['created', 'operator.corbetta@banditore.local'],
      ['approved', 'approver.corbetta@banditore.local'],
      ['occurrence-skipped', 'approver.corbetta@banditore.local'],
    ])
  }, 180_000)
})
