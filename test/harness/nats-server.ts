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

/**
 * Ports for the servers a test starts, below the range the OS hands out to outgoing connections
 * (Linux: 32768-60999, macOS: 49152-65535). A port the OS picked with listen(0) comes from that
 * range, and on a busy machine an outgoing connection (a pool, a browser) could take it as its
 * local port before the server bound it: EADDRINUSE. Each vitest worker has its own slice, so
 * parallel test files do not pick the same one.
 */
const PORTS = { from: 20_000, to: 32_000, slices: 8 }
const slice = Math.floor((PORTS.to - PORTS.from) / PORTS.slices)
const sliceBase = PORTS.from + (Number(process.env.VITEST_POOL_ID ?? 0) % PORTS.slices) * slice
let nextInSlice = Math.floor(Math.random() * slice)

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer()
    server.unref()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })

/** A TCP port nothing listens on now, from this worker's slice of non-ephemeral ports. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < slice; tries++) {
    const port = sliceBase + (nextInSlice++ % slice)
    if (await canListen(port)) return port
  }
  throw new Error(`no free port between ${sliceBase} and ${sliceBase + slice}`)
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
