import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { expectAccessible, useConsoleWorld } from './support/console-suite.js'
import { launchChromium } from './support/chromium.js'
import { signIn } from './support/sign-in.js'

// A policy editor works on the moderation rules in the browser: the rules in force, a message
// tried against them, and an edited rule checked (a failing case, a refused file) without publishing.
const root = fileURLToPath(new URL('../..', import.meta.url))
const setup = useConsoleWorld({ services: ['moderation'] })

/** Replaces the text of a CodeMirror editor. */
async function replaceEditorText(editor: Locator, text: string) {
  await editor.click()
  await editor.press('ControlOrMeta+a')
  await editor.press('Delete')
  await editor.fill(text)
}

describe('the policy editors\' bench in the console', () => {
  it('lists the rules, tries a message, and checks an edit showing failing cases and refused files', async () => {
    const page = await setup.browser.newPage()
    await signIn(page, setup.world.url, 'policy-editor.ancona', { returnTo: '/regole' })
    await page.getByRole('heading', { level: 1, name: 'Regole di moderazione' }).waitFor()
    await page.getByRole('link', { name: 'Regole di moderazione' }).waitFor()
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'insults', exact: true }) })
    await row.waitFor()
    expect(await row.textContent()).toContain('offensive-language')
    await expectAccessible(page)

    await page.getByLabel('Testo del messaggio').fill('Sindaco imbecille')
    await page.getByRole('button', { name: 'Prova', exact: true }).click()
    const verdict = page.getByTestId('verdetto')
    await verdict.waitFor()
    expect(await verdict.textContent()).toContain('Eliminato dalla moderazione')
    expect(await verdict.textContent()).toContain('Regola scattata: insults')
    expect(await verdict.getByTestId('parole').first().textContent()).toContain('imbecille')
    await expectAccessible(page)

    await row.getByRole('link', { name: 'insults', exact: true }).click()
    await page.getByRole('heading', { level: 1, name: 'Regola insults' }).waitFor()
    // The schema-aware editors (CodeMirror) show the files in force.
    const casesBox = page.getByLabel('Casi (JSON)')
    await expect.poll(async () => (await casesBox.textContent()) ?? '').toContain('"insults"')
    const cases = JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.cases.json'), 'utf8'))
    cases.match.push({ text: 'Quando riapre la biblioteca comunale?' })
    await replaceEditorText(casesBox, JSON.stringify(cases, null, 2))
    await page.getByRole('button', { name: 'Verifica' }).click()
    const report = page.getByTestId('esito-verifica')
    await report.getByText('1 casi non passano', { exact: false }).waitFor({ timeout: 60_000 })
    expect(await report.textContent()).toContain('Quando riapre la biblioteca comunale?')
    await expectAccessible(page)

    // A broken file: refused with its file, path and reason.
    const rule = JSON.parse(readFileSync(join(root, 'rules/default/inbound/insults.json'), 'utf8'))
    rule.event.type = 'explode'
    await replaceEditorText(page.getByLabel('Regola (JSON)'), JSON.stringify(rule, null, 2))
    await page.getByRole('button', { name: 'Verifica' }).click()
    await report.getByText('La regola non è valida').waitFor({ timeout: 60_000 })
    expect(await report.textContent()).toContain('tenants/ancona/inbound/insults.json')
    expect(await report.textContent()).toContain('/event')
    await expectAccessible(page)
  }, 180_000)

  it('is not offered to a desk operator', async () => {
    // Another person: a browser of their own (the provider remembers who signed in).
    const desk = await launchChromium()
    try {
      const page = await desk.newPage()
      await signIn(page, setup.world.url, 'desk.ancona', { returnTo: '/regole' })
      await page.getByRole('heading', { level: 1 }).first().waitFor()
      expect(await page.getByRole('link', { name: 'Regole di moderazione' }).count()).toBe(0)
      expect(await page.getByRole('heading', { level: 1, name: 'Regole di moderazione' }).count()).toBe(0)
    } finally {
      await desk.close()
    }
  }, 60_000)
})
