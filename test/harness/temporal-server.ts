import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryPath } from './binaries.js'
import { freePort, waitForPort } from './nats-server.js'

export interface TestTemporalServer {
  /** host:port of its frontend. */
  address: string
  /** Stops the server, keeping its database file (workflows survive a restart). */
  stop(): Promise<void>
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>
  /** Stops it and deletes its data. */
  dispose(): Promise<void>
}

/**
 * A private Temporal dev server (the real server, from the temporal CLI scripts/infra.sh builds)
 * with its state in a file, for a test that restarts Temporal under running workers; every
 * other test shares the run's server.
 */
export async function startTemporalServer(): Promise<TestTemporalServer> {
  const bin = binaryPath('temporal')
  const dir = mkdtempSync(join(tmpdir(), 'banditore-temporal-'))
  const [port, uiPort] = [await freePort(), await freePort()]
  let child: ChildProcess | undefined

  const start = async () => {
    const proc = spawn(
      bin,
      ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort), '--headless', '--db-filename', join(dir, 'temporal.db'), '--log-level', 'error'],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    )
    child = proc
    let stderr = ''
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    await waitForPort(port, 60_000, () => (proc.exitCode !== null ? `temporal exited: ${stderr}` : undefined))
  }
  const stop = async () => {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    await exited
  }

  await start()
  return {
    address: `127.0.0.1:${port}`,
    start,
    stop,
    async dispose() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
