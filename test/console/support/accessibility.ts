import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
// axe-core's browser build, injected into the page as a script.
const axeSource = (require('axe-core') as { source: string }).source

export interface AccessibilityViolation {
  id: string
  impact: 'serious' | 'critical'
  help: string
  helpUrl: string
  /** CSS selectors of the offending elements with axe's explanation, one per node. */
  nodes: string[]
}

interface AxeResult {
  violations: Array<{ id: string; impact?: string | null; help: string; helpUrl: string; nodes: Array<{ target: unknown[]; failureSummary?: string }> }>
}

/**
 * Runs axe-core in the page against WCAG 2.0 and 2.1, levels A and AA (what EN 301 549 and
 * Legge 4/2004 ask of a public administration), and returns the serious and critical violations.
 */
export async function checkAccessibility(page: Page, options: { exclude?: string[] } = {}): Promise<AccessibilityViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as unknown as { axe?: unknown }).axe !== 'undefined')
  if (!loaded) {
    try {
      await page.addScriptTag({ content: axeSource })
    } catch {
      // The console's CSP refuses inline scripts (as it should): evaluate through the DevTools
      // protocol instead, which page CSP does not govern.
      await page.evaluate(axeSource)
    }
  }
  // Judge the page at rest: a colour caught halfway through a CSS transition (a badge fading in)
  // is not what a person reads.
  await page.evaluate(async () => {
    const doc = (globalThis as unknown as { document: { getAnimations(): Array<{ finished: Promise<unknown> }> } }).document
    await Promise.all(doc.getAnimations().map((a) => a.finished.catch(() => undefined)))
  })
  const result = (await page.evaluate(
    async ({ exclude }) => {
      const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } }).axe
      return await axe.run(exclude.length ? { exclude: exclude.map((s) => [s]) } : (globalThis as unknown as { document: unknown }).document, {
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
        resultTypes: ['violations'],
      })
    },
    { exclude: options.exclude ?? [] },
  )) as AxeResult
  return result.violations
    .filter((v): v is typeof v & { impact: 'serious' | 'critical' } => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => `${n.target.map(String).join(' ')}: ${(n.failureSummary ?? '').replace(/\s+/g, ' ').trim()}`),
    }))
}

/** The violations as lines a failing assertion prints: rule, impact, help, then each element. */
export function describeViolations(violations: readonly AccessibilityViolation[]): string {
  if (violations.length === 0) return 'no serious or critical violations'
  return violations
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.helpUrl}\n${v.nodes.map((n) => `    ${n}`).join('\n')}`)
    .join('\n')
}
