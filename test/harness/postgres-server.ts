import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from './nats-server.js'

export interface TestPostgresServer {
  /** The maintenance database's URL; `createTestDatabase(url)` makes a fresh database on it. */
  url: string
  port: number
  /** Stops the server (fast shutdown: every connection ends with 57P01, as a failover does), keeping its data. */
  stop(): Promise<void>
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>
  /** Stops it and deletes its data. */
  dispose(): Promise<void>
}

function postgresBinDir(): string {
  const root = '/usr/lib/postgresql'
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const version of versions) if (existsSync(join(root, version, 'bin', 'pg_ctl'))) return join(root, version, 'bin')
  throw new Error('PostgreSQL server binaries were not found under /usr/lib/postgresql: run scripts/infra.sh install')
}

/**
 * A private PostgreSQL server for a test that stops and restarts the database its services use
 * (the shared one serves every other test file). initdb refuses to run as root: as root the
 * cluster belongs to the postgres user, as scripts/infra.sh does it.
 */
export async function startPostgresServer(): Promise<TestPostgresServer> {
  const bin = postgresBinDir()
  const asRoot = process.getuid?.() === 0
  const run = (command: string, args: string[]) =>
    asRoot ? (['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] as const) : ([join(bin, command), args] as const)
  const dir = mkdtempSync('/var/tmp/banditore-pg-')
  const data = join(dir, 'data')
  if (asRoot) {
    chmodSync(dir, 0o755)
    execFileSync('chown', ['postgres', dir])
  }
  const [initdb, initArgs] = run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8'])
  execFileSync(initdb, initArgs, { stdio: 'ignore' })
  const port = await freePort()
  let running = false

  const start = async () => {
    const [cmd, args] = run('pg_ctl', [
      '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60',
      '-o', `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ])
    await new Promise<void>((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: 'ignore' })
      child.once('error', reject)
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl start exited with ${code}`))))
    })
    await waitForPort(port, 30_000)
    running = true
  }
  const stop = async () => {
    if (!running) return
    running = false
    const [cmd, args] = run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])
    execFileSync(cmd, args, { stdio: 'ignore' })
  }

  await start()
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async dispose() {
      await stop()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
