import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

export interface ServiceProcess {
  child: ChildProcess
  /** Everything the process wrote so far. */
  output(): string
  /** Resolves with the exit code (or signal) once the process has ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>
  /** Sends a signal and returns how the process ended. */
  signal(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>
}

/**
 * Runs a service's real entry (`<dir>/src/main.ts`, or another file) as its own process, the
 * way the local stack does, with exactly the environment given (plus PATH and HOME).
 */
export function spawnService(entry: string, env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, ['--conditions=@banditore/source', '--import', 'tsx', entry], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()))
  let signalledAt = Date.now()
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, afterMs: Date.now() - signalledAt })),
  )
  return {
    child,
    output: () => output,
    exited,
    async signal(signal) {
      signalledAt = Date.now()
      child.kill(signal)
      return await exited
    },
  }
}

/** Polls an HTTP endpoint until it answers with `status`. */
export async function waitForHttp(url: string, status = 200, timeoutMs = 30_000, alive?: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  while (Date.now() < deadline) {
    if (alive && !alive()) throw new Error(`process exited before ${url} answered`)
    try {
      const response = await fetch(url)
      last = `${response.status}: ${await response.text()}`
      if (response.status === status) return
    } catch (error) {
      last = String(error)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`)
}
