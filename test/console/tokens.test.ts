import { describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { expectAccessible, useConsoleWorld } from './support/console-suite.js'
import { signIn } from './support/sign-in.js'

// An admin manages API tokens in the browser: creates one (its secret shown once), finds it in
// the list, revokes it; the token works against the staff API until then, and is refused after.
const setup = useConsoleWorld({ services: ['subscriptions', 'broadcast'] })

describe('API tokens in the console', () => {
  it('creates a token shown once, lists it, revokes it; the API accepts it until the revocation', async () => {
    const page = await setup.browser.newPage()
    await signIn(page, setup.world.url, 'admin.corbetta', { returnTo: '/token' })
    await page.getByRole('heading', { level: 1, name: 'Token API' }).waitFor()
    await page.getByRole('heading', { name: 'Token esistenti' }).waitFor()
    await expectAccessible(page)

    await page.getByLabel('Descrizione').fill('Sito del Comune')
    await page.getByLabel('Titolare (e-mail o ufficio)').fill('ufficio.web@corbetta.example')
    await page.getByLabel('Ruolo').selectOption({ label: 'Operatore' })
    await page.getByRole('button', { name: 'Crea token' }).click()
    const secret = ((await page.getByTestId('segreto').textContent()) ?? '').trim()
    expect(secret).toMatch(/^bnd_[A-Za-z0-9_-]{43}$/)
    await page.getByText('Copia ora il segreto: non sarà più mostrato.').waitFor()
    const row = page.getByRole('row').filter({ hasText: 'Sito del Comune' })
    await row.waitFor()
    expect(await row.textContent()).toContain('ufficio.web@corbetta.example')
    expect(await row.textContent()).toContain('Operatore')
    await expectAccessible(page)

    // The token works for automation, with its role and tenant.
    const call = async () => (await fetch(`${setup.world.serviceUrls.broadcast}/v1/broadcasts`, { headers: { authorization: `Bearer ${secret}` } })).status
    expect(await call()).toBe(200)

    // Shown once: a new visit has the token in the list, never its secret.
    await page.reload()
    await row.waitFor()
    expect(await page.getByTestId('segreto').count()).toBe(0)
    expect(await page.content()).not.toContain(secret)

    await row.getByRole('button', { name: 'Revoca Sito del Comune' }).click()
    await page.getByRole('dialog').waitFor()
    await expectAccessible(page)
    await page.getByRole('dialog').getByRole('button', { name: 'Revoca' }).click()
    await row.getByText(/^Revocato il /).waitFor()
    await expectAccessible(page)

    // Refused from then on.
    await waitUntil(async () => (await call()) === 401, { what: 'the revoked token refused', timeoutMs: 30_000, intervalMs: 200 })
    const refused = await fetch(`${setup.world.serviceUrls.broadcast}/v1/broadcasts`, { headers: { authorization: `Bearer ${secret}` } })
    expect(refused.headers.get('content-type')).toContain('application/problem+json')
  }, 120_000)
})
