import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Streams, Subjects, type InboundMessage, type ModerationVerdict } from '@banditore/contracts'
import { DurablePublisher } from '@banditore/platform'
import { jetstreamManager } from '@nats-io/jetstream'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { expectAccessible } from './support/console-suite.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { signIn } from './support/sign-in.js'

// A policy editor changes a rule in the schema-aware editor, sees a case fail, fixes it,
// publishes, and the running moderation service (following the rulesets bucket) decides real
// messages with the new rule without a restart; a rollback from the versions page restores the
// old verdict; the message the new rule sent to review waits in the review queue for a decision.
const root = fileURLToPath(new URL('../..', import.meta.url))
const ruleText = readFileSync(join(root, 'rules/default/inbound/insults.json'), 'utf8')

let world: ConsoleWorld
let browser: RunningChromium
let sequence = 0

/** A citizen's message through the platform's inbound stream, and the running service's verdict on it. */
async function verdictOnInbound(text: string): Promise<ModerationVerdict> {
  const n = ++sequence
  const at = new Date().toISOString()
  const message: InboundMessage = {
    version: 1,
    id: `whatsapp-cloud:wamid.bench${n}`,
    tenant: 'ancona',
    channel: 'whatsapp',
    provider: 'whatsapp-cloud',
    providerMessageId: `wamid.bench${n}`,
    from: `+3934722${String(n).padStart(5, '0')}`,
    to: '+393330000001',
    type: 'text',
    text,
    sentAt: at,
    receivedAt: at,
  }
  const nc = world.world.nc
  await new DurablePublisher(nc).publish(Subjects.inboundMessage('ancona'), new TextEncoder().encode(JSON.stringify(message)), { msgId: message.id })
  const jsm = await jetstreamManager(nc)
  return await waitUntil(
    async () => {
      const stored = await jsm.streams.getMessage(Streams.moderation.name, { last_by_subj: Subjects.moderationVerdict('ancona') }).catch(() => null)
      const verdict = stored?.json<ModerationVerdict>()
      return verdict?.messageId === message.id ? verdict : undefined
    },
    { what: `the verdict on ${message.id}` },
  )
}

/** Replaces the text of the CodeMirror editor named `label`. */
async function replaceEditorText(page: Page, label: string, text: string) {
  const editor = page.getByLabel(label)
  await editor.click()
  await editor.press('ControlOrMeta+a')
  await editor.press('Delete')
  await editor.fill(text)
}

beforeAll(async () => {
  world = await startConsoleWorld({ services: ['moderation'], env: { RULESET_SOURCE: 'kv' } })
  browser = await launchChromium()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await world?.stop()
})

describe('publishing from the policy editors\' bench', () => {
  it('changes a rule, sees a case fail, fixes it, publishes, and rolls back, the running service following each step', async () => {
    expect((await verdictOnInbound('Sindaco imbecille')).action).toBe('delete')
    const page = await browser.newPage()
    await signIn(page, world.url, 'policy-editor.ancona', { returnTo: '/regole/inbound/insults' })
    await page.getByRole('heading', { level: 1, name: 'Regola insults' }).waitFor()
    const ruleEditor = page.getByLabel('Regola (JSON)')
    await expect.poll(async () => (await ruleEditor.textContent()) ?? '').toContain('"insults"')
    await expectAccessible(page)

    // Completion comes from the rule schema: the properties a rule file may have.
    await replaceEditorText(page, 'Regola (JSON)', '{}')
    await ruleEditor.press('ArrowLeft')
    await page.keyboard.type('"')
    const completions = page.locator('.cm-tooltip-autocomplete')
    await completions.waitFor()
    expect(await completions.textContent()).toContain('conditions')
    await ruleEditor.press('Escape')

    // An unknown action: refused on "Verifica" with file, path and reason, marked in the editor.
    const rule = JSON.parse(ruleText)
    rule.event.type = 'explode'
    await replaceEditorText(page, 'Regola (JSON)', JSON.stringify(rule, null, 2))
    await page.getByRole('button', { name: 'Verifica' }).click()
    const report = page.getByTestId('esito-verifica')
    await report.getByText('La regola non è valida').waitFor({ timeout: 60_000 })
    expect(await report.textContent()).toContain('/event')
    await page.locator('.cm-lintRange-error').first().waitFor()

    // A rule that no longer finds insults: its cases fail.
    rule.event.type = 'review'
    rule.conditions.all[0].value = 'blasphemy'
    await replaceEditorText(page, 'Regola (JSON)', JSON.stringify(rule, null, 2))
    await page.getByRole('button', { name: 'Verifica' }).click()
    await report.getByText('casi non passano', { exact: false }).waitFor({ timeout: 60_000 })
    expect(await report.textContent()).toContain('doveva essere intercettato')
    expect(await page.getByRole('button', { name: 'Pubblica' }).isDisabled()).toBe(true)
    await expectAccessible(page)

    // Fixed: every case passes, and it is published behind a confirmation.
    rule.conditions.all[0].value = 'insults'
    await replaceEditorText(page, 'Regola (JSON)', JSON.stringify(rule, null, 2))
    await page.getByRole('button', { name: 'Verifica' }).click()
    await report.getByText('tutti i', { exact: false }).waitFor({ timeout: 60_000 })
    await page.getByRole('button', { name: 'Pubblica' }).click()
    const dialog = page.getByRole('dialog', { name: 'Pubblicare la regola?' })
    await dialog.waitFor()
    await expectAccessible(page)
    await dialog.getByRole('button', { name: 'Pubblica' }).click()
    const outcome = page.getByTestId('esito-pubblicazione')
    await outcome.waitFor({ timeout: 60_000 })
    expect(await outcome.textContent()).toContain('Pubblicata la versione 2')

    // The running service, not the editor's preview, decides with the new rule: no restart.
    const published = await verdictOnInbound('Sindaco imbecille')
    expect(published).toMatchObject({ action: 'review', rules: ['insults'] })

    // The versions: author, time, diff; back to the rules of before in one click (confirmed).
    await page.goto(`${world.url}/regole/versioni`)
    await page.getByRole('heading', { level: 1, name: 'Versioni delle regole' }).waitFor()
    const latest = page.getByTestId('versione-2')
    await latest.waitFor()
    expect(await latest.textContent()).toContain('policy-editor.ancona@banditore.local')
    await latest.getByText('Differenze').click()
    expect(await latest.locator('pre').textContent()).toContain('+    "type": "review"')
    await expectAccessible(page)
    await page.getByRole('button', { name: 'Torna alla versione 1' }).click()
    const confirm = page.getByRole('dialog', { name: 'Tornare alla versione 1?' })
    await confirm.getByRole('button', { name: 'Torna a questa versione' }).click()
    await page.getByTestId('esito-ripristino').waitFor({ timeout: 60_000 })
    await page.getByTestId('versione-3').waitFor()
    expect((await verdictOnInbound('Sindaco imbecille')).action).toBe('delete')
    await expectAccessible(page)

    // The message the published rule sent to review waits for a decision.
    await page.getByRole('link', { name: 'Messaggi da verificare' }).first().click()
    await page.getByRole('heading', { level: 1, name: 'Messaggi da verificare' }).waitFor()
    await page.getByText('«Sindaco imbecille»').waitFor()
    await expectAccessible(page)
    await page.getByLabel('Motivo della decisione').fill('Insulto al sindaco')
    await page.getByRole('button', { name: 'Blocca il mittente' }).click()
    await page.getByText('Decisione registrata: Blocca il mittente.').waitFor()
    const decided = page.getByRole('table', { name: 'Decisioni sui messaggi verificati' })
    await decided.getByText('Insulto al sindaco').waitFor()
    expect(await decided.textContent()).toContain('policy-editor.ancona@banditore.local')
    // The pending list reloads on its own request, beside the decisions': wait for it to empty.
    await page.getByText('Nessun messaggio da verificare.').waitFor()
    expect(await page.locator('section[aria-labelledby="titolo-da-verificare"]').getByText('«Sindaco imbecille»').count()).toBe(0)
    await expectAccessible(page)
  }, 240_000)
})
