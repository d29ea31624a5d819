import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryPath } from './binaries.js'
import { containersRequested, startNatsContainer } from './containers.js'

export interface TestNatsServer {
  url: string
  port: number
  /** Stops the server (SIGTERM, or SIGKILL when `hard`), keeping its JetStream store. */
  stop(options?: { hard?: boolean }): Promise<void>
  /** Starts it again on the same port with the same store. */
  start(): Promise<void>
  /** Stops it and deletes its store. */
  dispose(): Promise<void>
}

/** A TCP port nothing listens on now (the OS picks it). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Resolves once something accepts connections on the port; rejects when `failed` says why not. */
export async function waitForPort(port: number, timeoutMs: number, failed: () => string | undefined = () => undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const reason = failed()
    if (reason) throw new Error(reason)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => {
        socket.destroy()
        resolve(false)
      })
    })
    if (open) return
    if (Date.now() > deadline) throw new Error(`nothing answered on port ${port} within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * A private nats-server with JetStream for one test file: its own port and store, so test
 * files never share streams, and a test can stop and restart it.
 */
export async function startNatsServer(): Promise<TestNatsServer> {
  if (containersRequested()) return await startNatsServerContainer()
  const bin = binaryPath('nats-server')
  const storeDir = mkdtempSync(join(tmpdir(), 'banditore-nats-'))
  const port = await freePort()
  let child: ChildProcess | undefined

  const start = async () => {
    const proc = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: ['ignore', 'ignore', 'pipe'] })
    child = proc
    let stderr = ''
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
    await waitForPort(port, 10_000, () => (proc.exitCode !== null ? `nats-server exited: ${stderr}` : undefined))
  }

  const stop = async ({ hard = false } = {}) => {
    const proc = child
    child = undefined
    if (!proc || proc.exitCode !== null) return
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill(hard ? 'SIGKILL' : 'SIGTERM')
    await exited
  }

  await start()
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    start,
    stop,
    async dispose() {
      await stop()
      rmSync(storeDir, { recursive: true, force: true })
    },
  }
}

async function startNatsServerContainer(): Promise<TestNatsServer> {
  const port = await freePort()
  const endpoint = await startNatsContainer(port)
  return {
    url: `nats://${endpoint.host}:${port}`,
    port,
    stop: async () => await endpoint.stop(),
    start: async () => {
      await endpoint.restart()
      await waitForPort(port, 30_000)
    },
    dispose: async () => void (await endpoint.container.stop({ remove: true })),
  }
}
