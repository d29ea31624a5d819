import type { Page } from 'playwright-core'
import { afterAll, beforeAll, expect } from 'vitest'
import { checkAccessibility, describeViolations } from './accessibility.js'
import { launchChromium, type RunningChromium } from './chromium.js'
import { startConsoleWorld, type ConsoleWorld, type ConsoleWorldOptions } from './console-world.js'
import { signIn, type SignInOptions } from './sign-in.js'

// What the browser tests of the console share: their world and browser, the accessibility
// assertion, calls to the console's API from a signed-in page.

/** A test file's console world and its one browser (read them inside tests: they start before them). */
export interface ConsoleSuite {
  readonly world: ConsoleWorld
  readonly browser: RunningChromium
  /** The next person at the browser: a fresh tab (other tabs closed, cookies cleared), signed in as `username`. */
  signInFresh(username: string, options?: SignInOptions): Promise<Page>
}

/**
 * Starts a console world and one browser before the file's tests (within `hookTimeoutMs`) and
 * stops both after them. Call it at the top level of a test file.
 */
export function useConsoleWorld(options: ConsoleWorldOptions = {}, hookTimeoutMs = 240_000): ConsoleSuite {
  let world: ConsoleWorld | undefined
  let browser: RunningChromium | undefined

  beforeAll(async () => {
    world = await startConsoleWorld(options)
    browser = await launchChromium()
  }, hookTimeoutMs)

  afterAll(async () => {
    await browser?.close()
    await world?.stop()
  })

  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet: read it inside a test`)
    return value
  }
  const suite: ConsoleSuite = {
    get world() {
      return started(world, 'the console world')
    },
    get browser() {
      return started(browser, 'the browser')
    },
    async signInFresh(username, signInOptions) {
      const page = await suite.browser.freshTab()
      await signIn(page, suite.world.url, username, signInOptions)
      return page
    },
  }
  return suite
}

/** The page has no serious or critical WCAG 2.1 AA violation (the assertion lists them otherwise). */
export async function expectAccessible(page: Page): Promise<void> {
  const violations = await checkAccessibility(page)
  expect(violations, describeViolations(violations)).toEqual([])
}

/** fetch() from the page through the console (its cookie, CSRF token and tenant header). */
export async function fromPage(page: Page, method: string, path: string, body?: unknown) {
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
