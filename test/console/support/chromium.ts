import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'

const root = fileURLToPath(new URL('../../..', import.meta.url))

/** Debian's chromium, found the way scripts/infra.sh installs it; /usr/bin/chromium otherwise. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH
  try {
    const found = execFileSync('bash', ['scripts/infra.sh', 'bin', 'chromium'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    if (found && existsSync(found)) return found
  } catch {
    // Fall through to the Debian path.
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium'
  throw new Error('Chromium not found: run `bash scripts/infra.sh install` (it installs Debian\'s chromium package)')
}

export interface RunningChromium {
  context: BrowserContext
  /** A new tab. */
  newPage(): Promise<Page>
  /**
   * A new tab for the next person at this browser: every open tab is closed and every cookie
   * cleared first. The tabs share one profile, so a tab left open would notice its session gone,
   * start a sign-in of its own and overwrite the new person's sign-in cookie.
   */
  freshTab(): Promise<Page>
  close(): Promise<void>
}

/**
 * Real Chromium, headless, in a fresh profile (its own temporary user-data-dir: no cookies or
 * cache from another test), with the network features that would reach the internet turned off.
 */
export async function launchChromium(options: { locale?: string } = {}): Promise<RunningChromium> {
  const userDataDir = await mkdtemp(join(tmpdir(), 'banditore-chromium-'))
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    locale: options.locale ?? 'it-IT',
    timezoneId: 'Europe/Rome',
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'],
  })
  return {
    context,
    newPage: () => context.newPage(),
    async freshTab() {
      for (const open of context.pages()) await open.close()
      await context.clearCookies()
      return await context.newPage()
    },
    async close() {
      await context.close().catch(() => undefined)
      await rm(userDataDir, { recursive: true, force: true })
    },
  }
}
