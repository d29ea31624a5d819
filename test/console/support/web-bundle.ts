import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { waitUntil } from '../../harness/index.js'

const consoleDir = fileURLToPath(new URL('../../../services/console', import.meta.url))
export const WEB_DIR = join(consoleDir, 'dist', 'web')
const LOCK = join(consoleDir, 'dist', '.web-build-lock')

function newestSource(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  return Math.max(stat.mtimeMs, ...readdirSync(path).filter((n) => n !== 'node_modules').map((n) => newestSource(join(path, n))))
}

/** True when dist/web/index.html exists and is newer than every file of web/ and vite.config.ts. */
export function webBundleIsFresh(): boolean {
  const index = join(WEB_DIR, 'index.html')
  if (!existsSync(index)) return false
  const sources = [join(consoleDir, 'web'), join(consoleDir, 'vite.config.ts')].filter((p) => existsSync(p))
  return statSync(index).mtimeMs >= Math.max(0, ...sources.map(newestSource))
}

/** Runs vite's production build of the console's SPA (web/ → dist/web), with the package's vite config. */
export async function buildWebBundle(): Promise<void> {
  const { build } = await import('vite')
  await build({ configFile: join(consoleDir, 'vite.config.ts'), root: join(consoleDir, 'web'), logLevel: 'warn', mode: 'production' })
}

/**
 * The SPA, built once per run when missing or stale. Test files run in parallel: the first takes
 * a lock directory (mkdir is atomic), the others wait for the bundle it builds.
 */
export async function ensureWebBundle(): Promise<string> {
  // A bundle built elsewhere (CI artifact, a debugging session) is used as it is.
  if (process.env.CONSOLE_WEB_DIR) return process.env.CONSOLE_WEB_DIR
  if (webBundleIsFresh()) return WEB_DIR
  mkdirSync(join(consoleDir, 'dist'), { recursive: true })
  let owner = false
  try {
    mkdirSync(LOCK)
    owner = true
  } catch {
    // Another test file is building; a lock older than five minutes is a crashed build.
    if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })!.mtimeMs > 300_000) rmSync(LOCK, { recursive: true, force: true })
  }
  if (owner) {
    try {
      await buildWebBundle()
    } finally {
      rmSync(LOCK, { recursive: true, force: true })
    }
  } else {
    await waitUntil(() => !existsSync(LOCK) && existsSync(join(WEB_DIR, 'index.html')), { timeoutMs: 240_000, intervalMs: 250, what: 'the console web bundle another test file builds' })
  }
  return WEB_DIR
}
