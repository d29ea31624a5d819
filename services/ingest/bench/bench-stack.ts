import { freePort } from '../../../test/harness/nats-server.js'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Streams } from '@banditore/contracts'
import { createDatabase } from '@banditore/platform'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { sql } from 'kysely'

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))

/** Where the machine's CPU went, cumulative: ms of user+system time per process group. */
export interface ResourceSnapshot {
  ingestCpuMs: number
  natsCpuMs: number
  postgresCpuMs: number
  /** Committed PostgreSQL transactions in the benchmark database (one per ledger statement). */
  postgresTransactions: number
}

export interface BenchStack {
  /** Ingest's base URL. */
  url: string
  /** Messages in the INBOUND stream. */
  storedMessages(): Promise<number>
  snapshot(): Promise<ResourceSnapshot>
  stop(): Promise<void>
}

const TICKS_PER_SECOND = 100

/** utime+stime of a process in ms, from /proc (0 when unreadable, e.g. not Linux). */
function cpuMsOf(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND
  } catch {
    return 0
  }
}


async function waitFor(check: () => Promise<boolean>, what: string, failed: () => string | undefined = () => undefined, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const reason = failed()
    if (reason) throw new Error(`${what}: ${reason}`)
    if (await check().catch(() => false)) return
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`${what} did not come up within ${timeoutMs} ms`)
}

/** The benchmark tenant: one WhatsApp and one SMS number, secrets given by the environment below. */
const benchTenant = {
  version: 1,
  id: 'bench',
  name: 'Comune di Banco di Prova',
  languages: ['it'],
  channels: {
    whatsapp: { phoneNumberId: '399000000000001', number: '+393330007001', accessTokenEnv: 'BENCH_WA_TOKEN', appSecretEnv: 'BENCH_WA_APP_SECRET' },
    sms: { number: '+393330007002', accountSidEnv: 'BENCH_SMS_SID', authTokenEnv: 'BENCH_SMS_TOKEN' },
  },
  mode: 'unidirectional',
  signup: { doors: ['whatsapp', 'sms'] },
  keywords: { subscribe: { it: ['ISCRIVIMI'] }, unsubscribe: { it: ['CANCELLAMI'] } },
  topics: [{ id: 'avvisi', names: { it: 'Avvisi' } }],
  texts: { it: { confirmation: 'Iscrizione confermata.' } },
  privacyPolicy: { it: 'Informativa di prova.' },
  contacts: {},
}

/**
 * A private nats-server, a fresh database and ingest's real entry as a child process, so the
 * load generator (this process) and ingest do not share an event loop.
 */
export async function startBenchStack(): Promise<BenchStack> {
  const natsBin = execFileSync('bash', [join(repoRoot, 'scripts/infra.sh'), 'bin', 'nats-server'], { encoding: 'utf8' }).trim()
  const workDir = mkdtempSync(join(tmpdir(), 'banditore-bench-'))
  const natsPort = await freePort()
  const nats = spawn(natsBin, ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(workDir, 'jetstream')], { stdio: 'ignore' })
  const natsUrl = `nats://127.0.0.1:${natsPort}`

  const adminUrl = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const dbName = `banditore_bench_${Date.now().toString(36)}`
  const admin = createDatabase({ url: adminUrl, applicationName: 'ingest-bench', max: 1 })
  await sql`create database ${sql.id(dbName)}`.execute(admin)
  const dbUrl = new URL(adminUrl)
  dbUrl.pathname = `/${dbName}`

  const tenantsDir = join(workDir, 'tenants')
  execFileSync('mkdir', ['-p', tenantsDir])
  writeFileSync(join(tenantsDir, 'bench.json'), JSON.stringify(benchTenant))

  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let ingest: ChildProcess | undefined
  let output = ''
  const stop = async () => {
    if (ingest && ingest.exitCode === null) {
      const exited = new Promise((r) => ingest?.once('exit', r))
      ingest.kill('SIGTERM')
      await exited
    }
    if (nats.exitCode === null) {
      const exited = new Promise((r) => nats.once('exit', r))
      nats.kill('SIGTERM')
      await exited
    }
    await sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(admin).catch(() => undefined)
    await admin.destroy()
    rmSync(workDir, { recursive: true, force: true })
  }

  try {
    await waitFor(async () => {
      const nc = await connect({ servers: natsUrl, reconnect: false })
      await nc.close()
      return true
    }, 'nats-server')
    // BENCH_INGEST_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/ingest-prof`, shows where ingest spends its time.
    const nodeArgs = (process.env.BENCH_INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean)
    ingest = spawn(process.execPath, [...nodeArgs, '--conditions=@banditore/source', '--import', 'tsx', 'services/ingest/src/main.ts'], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        PORT: String(port),
        PUBLIC_BASE_URL: url,
        NATS_URL: natsUrl,
        DATABASE_URL: dbUrl.toString(),
        TENANTS_DIR: tenantsDir,
        LOG_LEVEL: 'warn',
        BENCH_WA_APP_SECRET: process.env.BENCH_WA_APP_SECRET ?? 'bench-meta-app-secret',
        BENCH_SMS_TOKEN: process.env.BENCH_SMS_TOKEN ?? 'bench-sms-auth-token',
        NODE_ENV: 'production',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    ingest.stdout?.on('data', (d: Buffer) => (output += d.toString()))
    ingest.stderr?.on('data', (d: Buffer) => (output += d.toString()))
    await waitFor(
      async () => (await fetch(`${url}/readyz`)).status === 200,
      'ingest',
      () => (ingest?.exitCode !== null ? `exited with code ${ingest?.exitCode}` : undefined),
    )
  } catch (error) {
    await stop()
    throw new Error(`bench stack failed to start: ${String(error)}\n${output}`, { cause: error })
  }

  return {
    url,
    async storedMessages() {
      const nc = await connect({ servers: natsUrl })
      try {
        const info = await (await jetstreamManager(nc)).streams.info(Streams.inbound.name)
        return info.state.messages
      } finally {
        await nc.close()
      }
    },
    async snapshot() {
      // Ingest's pool connections live on; their backends' CPU is PostgreSQL's share.
      const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = ${dbName}`.execute(admin)
      const { rows: xacts } = await sql<{ n: string }>`select xact_commit::text as n from pg_stat_database where datname = ${dbName}`.execute(admin)
      return {
        ingestCpuMs: cpuMsOf(ingest?.pid),
        natsCpuMs: cpuMsOf(nats.pid),
        postgresCpuMs: rows.reduce((sum, r) => sum + cpuMsOf(r.pid), 0),
        postgresTransactions: Number(xacts[0]?.n ?? 0),
      }
    },
    stop,
  }
}
