import type { Page } from 'playwright-core'

/** The password of every seeded account of the test identity provider. */
export const STAFF_PASSWORD = 'banditore-test-password'

export interface SignInOptions {
  /** Where the console sends the person after sign-in (default `/`). */
  returnTo?: string
  password?: string
}

/**
 * Signs in through the real identity provider's login page: the console sends the browser there,
 * the person types username and password, the provider sends them back. Resolves on the console.
 */
export async function signIn(page: Page, consoleUrl: string, username: string, options: SignInOptions = {}): Promise<void> {
  const returnTo = options.returnTo ?? '/'
  // Stop whatever the tab was doing first (an SPA whose session just ended navigates to sign in by itself).
  await page.goto('about:blank')
  await page.goto(`${consoleUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
  await page.getByLabel('Nome utente').fill(username)
  await page.getByLabel('Password').fill(options.password ?? STAFF_PASSWORD)
  await Promise.all([
    page.waitForURL((url) => url.origin === new URL(consoleUrl).origin && !url.pathname.startsWith('/auth/'), { timeout: 30_000 }),
    page.getByRole('button', { name: 'Accedi' }).click(),
  ])
}

/** The console's session as the SPA reads it (GET /auth/session from the page, with its cookie). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
export async function sessionOf(page: Page): Promise<{ status: number; body: any }> {
  return await page.evaluate(async () => {
    const response = await fetch('/auth/session', { headers: { accept: 'application/json' } })
    return { status: response.status, body: await response.json().catch(() => undefined) }
  })
}
