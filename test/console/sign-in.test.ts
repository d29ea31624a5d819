import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { checkAccessibility, describeViolations } from './support/accessibility.js'
import { launchChromium, type RunningChromium } from './support/chromium.js'
import { startConsoleWorld, type ConsoleWorld } from './support/console-world.js'
import { sessionOf, signIn, STAFF_PASSWORD } from './support/sign-in.js'

// Staff sign in at the real OpenID provider in real Chromium; the console keeps the tokens,
// guards changes with its CSRF token, ends idle sessions and signs out.
let world: ConsoleWorld
let browser: RunningChromium
let page: Page

/** fetch() from the page: same origin, the page's cookies. */
async function call(method: string, path: string, headers: Record<string, string> = {}, body?: unknown) {
  return await page.evaluate(
    async ({ method, path, headers, body }) => {
      const response = await fetch(path, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      })
      const text = await response.text()
      let parsed: unknown = text
      try {
        parsed = JSON.parse(text)
      } catch {
        // not JSON
      }
      return { status: response.status, type: response.headers.get('content-type') ?? '', body: parsed as Record<string, unknown> }
    },
    { method, path, headers, body },
  )
}

const rowsOf = (subject: string) => world.consoleDb.selectFrom('sessions').selectAll().where('subject', '=', subject).execute()

beforeAll(async () => {
  world = await startConsoleWorld({ services: ['subscriptions', 'broadcast'] })
  browser = await launchChromium()
  page = await browser.newPage()
}, 240_000)

afterAll(async () => {
  await browser?.close()
  await world?.stop()
})

describe('console sign-in', () => {
  it('sends an unknown visitor to the provider, signs them in, and shows their grants', async () => {
    await page.goto(`${world.url}/comunicazioni`)
    // The SPA finds no session and goes to sign in; the provider's login page is accessible.
    await page.getByLabel('Nome utente').waitFor()
    expect(new URL(page.url()).origin).toBe(new URL(world.issuer).origin)
    const loginViolations = await checkAccessibility(page)
    expect(loginViolations, describeViolations(loginViolations)).toEqual([])

    await page.getByLabel('Nome utente').fill('operator.corbetta')
    await page.getByLabel('Password').fill(world.password)
    await page.getByRole('button', { name: 'Accedi' }).click()
    // Back where they wanted to go.
    await page.waitForURL(`${world.url}/comunicazioni`)
    await page.getByRole('main').waitFor()

    const session = await sessionOf(page)
    expect(session.status).toBe(200)
    expect(session.body.user).toMatchObject({ subject: 'operator.corbetta', grants: [{ tenant: 'corbetta', role: 'operator' }] })
    expect(session.body.user.name).toBeTruthy()
    expect(session.body.tenants).toEqual([{ id: 'corbetta', name: expect.stringContaining('Corbetta') }])
    expect(session.body.csrfToken).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(new Date(session.body.idleExpiresAt).getTime()).toBeGreaterThan(Date.now())

    // The cookie is HttpOnly and SameSite=Lax; the row stores neither the cookie nor a readable token.
    const cookie = (await browser.context.cookies(world.url)).find((c) => c.name === 'banditore_session')
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' })
    const [row] = await rowsOf('operator.corbetta')
    expect(row?.id).not.toBe(cookie?.value)
    expect(row?.access_token.startsWith('v1.')).toBe(true)
    expect(row?.access_token).not.toContain('eyJ')
    expect(row?.refresh_token).toBeTruthy()

    // The audit line names the subject and nothing else about the person.
    const audit = world.logs.lines().find((l) => l.msg === 'staff signed in')
    expect(audit).toMatchObject({ subject: 'operator.corbetta' })
  })

  it('calls the staff API with the person\'s own access token', async () => {
    const me = await call('GET', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta' })
    expect(me.status, JSON.stringify(me.body)).toBe(200)
  })

  it('serves the SPA with security headers and caches hashed assets for good', async () => {
    const response = await fetch(`${world.url}/comunicazioni/nuova`)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<div id="root">')
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).toMatch(/script-src 'self'(;| 'sha256-)/)
    expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    expect(response.headers.get('referrer-policy')).toBe('same-origin')
    expect(response.headers.get('cache-control')).toBe('no-cache')
    const asset = /(?:src|href)="(\/assets\/[^"]+\.js)"/.exec(html)?.[1]
    expect(asset).toBeTruthy()
    const script = await fetch(`${world.url}${asset}`)
    expect(script.status).toBe(200)
    expect(script.headers.get('cache-control')).toContain('immutable')
    expect((await fetch(`${world.url}/assets/missing-0000.js`)).status).toBe(404)
  })

  it('refuses a change without the session\'s CSRF token', async () => {
    const draft = { topics: ['eventi'] }
    const missing = await call('POST', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta' }, draft)
    expect(missing.status).toBe(403)
    expect(missing.type).toContain('application/problem+json')
    expect(missing.body).toMatchObject({ status: 403, title: 'Richiesta non verificata' })
    expect(String(missing.body.detail)).toMatch(/verifica/)
    const wrong = await call('POST', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta', 'x-csrf-token': 'not-the-token' }, draft)
    expect(wrong.status).toBe(403)
    // With the token the request reaches the API (which judges the body itself).
    const { body } = await sessionOf(page)
    const passed = await call('POST', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta', 'x-csrf-token': body.csrfToken }, draft)
    expect(passed.body).not.toMatchObject({ title: 'Richiesta non verificata' })
  })

  it('shows a refusal page for a page the role does not allow, and the API refuses the same with 403', async () => {
    await page.goto(`${world.url}/token`)
    await expect.poll(() => page.getByRole('heading', { name: 'Accesso non consentito' }).isVisible(), { timeout: 15_000 }).toBe(true)
    const violations = await checkAccessibility(page)
    expect(violations, describeViolations(violations)).toEqual([])
    const tokens = await call('GET', '/api/broadcast/v1/tokens', { 'x-banditore-tenant': 'corbetta' })
    expect(tokens.status).toBe(403)
    expect(tokens.type).toContain('application/problem+json')
  })

  it('the landing page has no serious or critical accessibility violations', async () => {
    await page.goto(`${world.url}/`)
    await page.getByRole('main').waitFor()
    await page.getByRole('heading', { level: 1 }).first().waitFor()
    const violations = await checkAccessibility(page)
    expect(violations, describeViolations(violations)).toEqual([])
  })

  it('refreshes an expired access token with the refresh token', async () => {
    const [before] = await rowsOf('operator.corbetta')
    await world.consoleDb.updateTable('sessions').set({ access_token_expires_at: new Date(Date.now() - 60_000) }).where('subject', '=', 'operator.corbetta').execute()
    const response = await call('GET', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta' })
    expect(response.status, JSON.stringify(response.body)).toBe(200)
    const [after] = await rowsOf('operator.corbetta')
    expect(after?.access_token).not.toBe(before?.access_token)
    expect(after?.access_token_expires_at?.getTime()).toBeGreaterThan(Date.now())
  })

  it('ends an idle session: the API answers 401 problem+json and the SPA goes to sign in', async () => {
    // A same-origin page without the SPA, whose own calls would otherwise sign in again meanwhile.
    await page.goto(`${world.url}/healthz`)
    await world.consoleDb.updateTable('sessions').set({ idle_expires_at: new Date(Date.now() - 1000) }).where('subject', '=', 'operator.corbetta').execute()
    const api = await call('GET', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta' })
    expect(api.status).toBe(401)
    expect(api.type).toContain('application/problem+json')
    expect(api.body).toMatchObject({ status: 401, title: 'Sessione scaduta', code: 'SESSION_EXPIRED' })
    expect((await sessionOf(page)).status).toBe(401)
    expect(await rowsOf('operator.corbetta')).toEqual([])

    // The SPA sends the person to /auth/login (the provider still knows them, so they come back
    // signed in with a new session).
    const signInRequests: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/auth/login') signInRequests.push(request.url())
    })
    await page.goto(`${world.url}/comunicazioni`)
    await waitUntil(() => signInRequests.length > 0, { what: 'the SPA to go to /auth/login' })
    expect(new URL(signInRequests[0] ?? '').searchParams.get('returnTo')).toBe('/comunicazioni')
    await page.waitForURL(`${world.url}/comunicazioni`)
    await waitUntil(async () => (await sessionOf(page)).status === 200, { what: 'a new session' })
  })

  it('ends the session when the access token expired and cannot be refreshed', async () => {
    await page.goto(`${world.url}/healthz`)
    await world.consoleDb
      .updateTable('sessions')
      .set({ access_token_expires_at: new Date(Date.now() - 60_000), refresh_token: null })
      .where('subject', '=', 'operator.corbetta')
      .execute()
    const response = await call('GET', '/api/broadcast/v1/broadcasts', { 'x-banditore-tenant': 'corbetta' })
    expect(response.status).toBe(401)
    expect(response.body).toMatchObject({ code: 'SESSION_EXPIRED' })
    expect(await rowsOf('operator.corbetta')).toEqual([])
  })

  it('signs out: the session ends here and the provider is told', async () => {
    await page.goto('about:blank')
    await browser.context.clearCookies()
    await signIn(page, world.url, 'approver.corbetta')
    const { body } = await sessionOf(page)
    expect(body.user.grants).toEqual([{ tenant: 'corbetta', role: 'approver' }])
    // Off the SPA, whose next call after the sign-out would send the tab to sign in meanwhile.
    await page.goto('about:blank')

    // Through the browser context's request API: it shares the page's cookies, and the SPA
    // navigating to sign-in after the session ends cannot cut it short.
    const request = browser.context.request
    expect((await request.post(`${world.url}/auth/logout`)).status()).toBe(403)
    const out = await request.post(`${world.url}/auth/logout`, { headers: { 'x-csrf-token': body.csrfToken } })
    expect(out.status()).toBe(200)
    const { logoutUrl } = (await out.json()) as { logoutUrl: string }
    expect(logoutUrl.startsWith(`${world.issuer}/`)).toBe(true)
    expect(new URL(logoutUrl).searchParams.get('id_token_hint')).toBeTruthy()
    expect(await rowsOf('approver.corbetta')).toEqual([])
    expect((await request.get(`${world.url}/auth/session`)).status()).toBe(401)
    expect(world.logs.lines().find((l) => l.msg === 'staff signed out')).toMatchObject({ subject: 'approver.corbetta' })

    // The provider's own sign-out page, then back to the console, which asks to sign in again.
    await page.goto(logoutUrl)
    await page.getByRole('button', { name: 'Esci' }).click()
    await page.getByLabel('Nome utente').waitFor()
  })

  it('lets two tabs sign in at once: neither spoils the other', async () => {
    // Two tabs whose session ended each start a sign-in and wait at the provider's login page.
    await page.goto('about:blank')
    await browser.context.clearCookies()
    const other = await browser.newPage()
    try {
      for (const [tab, returnTo] of [[page, '/'], [other, '/comunicazioni']] as const) {
        await tab.goto(`${world.url}/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
        await tab.getByLabel('Nome utente').waitFor()
      }
      // The tab that started first finishes last: its sign-in is still the one it started.
      for (const tab of [other, page]) {
        await tab.getByLabel('Nome utente').fill('operator.corbetta')
        await tab.getByLabel('Password').fill(STAFF_PASSWORD)
        await Promise.all([
          tab.waitForURL((url) => url.origin === new URL(world.url).origin && !url.pathname.startsWith('/auth/'), { timeout: 30_000 }),
          tab.getByRole('button', { name: 'Accedi' }).click(),
        ])
      }
      expect(new URL(other.url()).pathname).toBe('/comunicazioni')
      expect(new URL(page.url()).pathname).toBe('/')
      expect((await sessionOf(page)).body.user).toMatchObject({ subject: 'operator.corbetta' })
    } finally {
      await other.close()
    }
  })
})
