/**
 * The console's first page, measured in real Chromium: JavaScript and CSS transferred (what the
 * browser received, brotli from the console, and the same files gzipped -9 for comparison) and
 * the time until it is interactive (DOMContentLoaded, and the app's `main` landmark rendered
 * with its heading). Builds the web bundle, serves it with the console app (sessions in a
 * throwaway PostgreSQL database; a signed-in operator's session is seeded, the staff APIs are
 * not running, so the dashboard shows its "service unavailable" notices), loads `/` RUNS times,
 * each in a fresh browser context (cold cache).
 *
 *   pnpm --filter @banditore/console bench      (RUNS=5, DATABASE_URL, CHROMIUM_PATH)
 */
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { createDatabase, createLogger, loadTenantDirectory, migrateToLatest } from '@banditore/platform'
import { sql } from 'kysely'
import { build } from 'vite'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { migrations, SCHEMA } from '../src/migrations/index.js'
import type { IdentityProviderClient } from '../src/session/identity-provider.client.js'
import { deriveSessionKeys } from '../src/session/session-crypto.js'
import { createSessionStore } from '../src/session/session-store.js'
import type { ConsoleDatabase } from '../src/session/session.table.js'

const consoleDir = fileURLToPath(new URL('..', import.meta.url))
const root = join(consoleDir, '..', '..')
const webDir = join(consoleDir, 'dist', 'web')
const RUNS = Number(process.env.RUNS ?? 5)
const JS_TARGET_BYTES = 300 * 1024

// playwright-core is the test package's dependency: resolved from there, not added to the console's.
const requireFromTests = createRequire(join(root, 'test', 'package.json'))
// The few calls used, typed here (the console does not depend on playwright-core's types).
interface BenchPage {
  goto(url: string, options: { waitUntil: 'commit' }): Promise<unknown>
  getByRole(role: string, options?: { level?: number }): BenchLocator
  evaluate<T>(expression: string): Promise<T>
}
interface BenchLocator {
  getByRole(role: string, options?: { level?: number }): BenchLocator
  first(): BenchLocator
  waitFor(options: { timeout: number }): Promise<void>
}
interface BenchContext {
  addCookies(cookies: Array<{ name: string; value: string; url: string; httpOnly: boolean; sameSite: 'Lax' }>): Promise<void>
  newPage(): Promise<BenchPage>
  close(): Promise<void>
}
interface BenchBrowser {
  newContext(options: { locale: string; viewport: { width: number; height: number } }): Promise<BenchContext>
  close(): Promise<void>
}
type Playwright = { chromium: { launch(options: Record<string, unknown>): Promise<BenchBrowser> } }
// A CommonJS module: its exports arrive as `default`.
const playwright = (await import(requireFromTests.resolve('playwright-core'))) as Playwright & { default?: Playwright }
const chromium = playwright.default?.chromium ?? playwright.chromium

function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  try {
    const found = execFileSync('bash', ['scripts/infra.sh', 'bin', 'chromium'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (found && existsSync(found)) return found
  } catch {
    // Debian's path below.
  }
  return '/usr/bin/chromium'
}

const kB = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN

process.stdout.write('building the web bundle (vite build)...\n')
await build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn', mode: 'production' })

// A throwaway database for the sessions table.
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const benchDb = `banditore_console_bench_${randomBytes(4).toString('hex')}`
const admin = createDatabase<unknown>({ url: serverUrl, applicationName: 'console-bench', max: 1 })
await sql`create database ${sql.id(benchDb)}`.execute(admin)
const url = new URL(serverUrl)
url.pathname = `/${benchDb}`
const pool = createDatabase<ConsoleDatabase>({ url: url.toString(), applicationName: 'console-bench', max: 4 })

const logger = createLogger({ service: 'console-bench', level: 'error' })
try {
  await migrateToLatest(pool, SCHEMA, migrations)
  const db = pool.withSchema(SCHEMA)
  const config = loadConfig({
    OIDC_CLIENT_SECRET: 'bench',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    COOKIE_SECURE: 'false',
    // Nothing listens there: API calls answer 502 problems, as when a service is down.
    BROADCAST_API_URL: 'http://127.0.0.1:59999',
    SUBSCRIPTIONS_API_URL: 'http://127.0.0.1:59999',
    LOG_LEVEL: 'warn',
  })
  const provider: IdentityProviderClient = {
    ready: async () => undefined,
    beginSignIn: async () => {
      throw new Error('no identity provider in the benchmark')
    },
    finishSignIn: async () => {
      throw new Error('no identity provider in the benchmark')
    },
    refresh: async () => {
      throw new Error('no identity provider in the benchmark')
    },
    endSessionUrl: async () => undefined,
  }
  const tenants = await loadTenantDirectory(join(root, 'tenants'))
  const app = await buildApp(config, { logger, db, tenants, provider, webDir })
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const origin = address.replace('localhost', '127.0.0.1')
  const sessions = createSessionStore({ db, keys: deriveSessionKeys(config.SESSION_SECRET), provider, logger, idleMinutes: 30 })

  const browser = await chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
  const runs: Array<{ js: number; css: number; jsFiles: string[]; cssFiles: string[]; dcl: number; interactive: number }> = []
  try {
    for (let i = 0; i < RUNS; i++) {
      const { cookie } = await sessions.create({
        subject: 'operator.corbetta',
        name: 'Operatore Corbetta',
        email: null,
        grants: [{ tenant: 'corbetta', role: 'operator' }],
        tokens: { accessToken: 'bench', accessTokenExpiresAt: new Date(Date.now() + 3_600_000), refreshToken: null, idToken: null },
      })
      const context = await browser.newContext({ locale: 'it-IT', viewport: { width: 1280, height: 900 } })
      await context.addCookies([{ name: 'banditore_session', value: cookie, url: origin, httpOnly: true, sameSite: 'Lax' }])
      const page = await context.newPage()
      await page.goto(`${origin}/`, { waitUntil: 'commit' })
      await page.getByRole('main').getByRole('heading', { level: 1 }).first().waitFor({ timeout: 30_000 })
      // Evaluated in the page: the navigation's DOMContentLoaded and every resource's encoded size.
      const measured = await page.evaluate<{ interactive: number; dcl: number; resources: Array<{ name: string; encoded: number }> }>(`(() => {
        const interactive = performance.now()
        const navigation = performance.getEntriesByType('navigation')[0]
        return {
          interactive,
          dcl: navigation.domContentLoadedEventEnd,
          resources: performance.getEntriesByType('resource').map((r) => ({ name: new URL(r.name).pathname, encoded: r.encodedBodySize })),
        }
      })()`)
      const js = measured.resources.filter((r) => r.name.endsWith('.js'))
      const css = measured.resources.filter((r) => r.name.endsWith('.css'))
      runs.push({
        js: js.reduce((sum, r) => sum + r.encoded, 0),
        css: css.reduce((sum, r) => sum + r.encoded, 0),
        jsFiles: js.map((r) => r.name),
        cssFiles: css.map((r) => r.name),
        dcl: measured.dcl,
        interactive: measured.interactive,
      })
      await context.close()
    }
  } finally {
    await browser.close()
    await app.close()
  }

  const last = runs[runs.length - 1]!
  const gzipOf = (paths: string[]) => paths.reduce((sum, p) => sum + gzipSync(readFileSync(join(webDir, p)), { level: 9 }).length, 0)
  const rawOf = (paths: string[]) => paths.reduce((sum, p) => sum + readFileSync(join(webDir, p)).length, 0)
  const jsGzip = gzipOf(last.jsFiles)
  const cssGzip = gzipOf(last.cssFiles)
  const lines = [
    '',
    `console first page (/ as operator.corbetta), ${RUNS} cold loads in Chromium, median:`,
    `  JavaScript   ${last.jsFiles.length} files, ${kB(median(runs.map((r) => r.js)))} transferred (brotli), ${kB(jsGzip)} gzipped, ${kB(rawOf(last.jsFiles))} raw   target < ${kB(JS_TARGET_BYTES)} gzipped: ${jsGzip < JS_TARGET_BYTES ? 'met' : 'MISSED'}`,
    `  CSS          ${last.cssFiles.length} files, ${kB(median(runs.map((r) => r.css)))} transferred (brotli), ${kB(cssGzip)} gzipped, ${kB(rawOf(last.cssFiles))} raw`,
    `  DOMContentLoaded         ${median(runs.map((r) => r.dcl)).toFixed(0)} ms`,
    `  interactive (main + h1)  ${median(runs.map((r) => r.interactive)).toFixed(0)} ms`,
    `  files: ${[...last.jsFiles, ...last.cssFiles].join(', ')}`,
    '',
  ]
  process.stdout.write(lines.join('\n'))
  process.stdout.write(`${JSON.stringify({ bench: 'console-first-page', runs: RUNS, jsTransferred: median(runs.map((r) => r.js)), jsGzip, cssTransferred: median(runs.map((r) => r.css)), cssGzip, domContentLoadedMs: median(runs.map((r) => r.dcl)), interactiveMs: median(runs.map((r) => r.interactive)) })}\n`)
  if (jsGzip >= JS_TARGET_BYTES) process.exitCode = 1
} finally {
  await pool.destroy()
  await sql`drop database if exists ${sql.id(benchDb)} with (force)`.execute(admin)
  await admin.destroy()
}
