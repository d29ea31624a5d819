// What both broadcast benchmarks run on: a fresh PostgreSQL database with the broadcast and worker schemas, a
// private nats-server, a Temporal dev server (or BENCH_TEMPORAL_ADDRESS), and the subscriptions
// service in its own process with `recipients` subscribers of Borgo.
import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { Streams } from '@banditore/contracts'
import { connectNats, createDatabase, createLogger, ensureStreams, migrateToLatest, type Logger } from '@banditore/platform'
import { migrations as workerMigrations, WORKER_SCHEMA } from '@banditore/workflows'
import type { NatsConnection } from '@nats-io/transport-node'
import { Client, Connection } from '@temporalio/client'
import { TestWorkflowEnvironment } from '@temporalio/testing'
import { sql } from 'kysely'
import { binaryPath } from '../../../test/harness/binaries.js'
import { startNatsServer, type TestNatsServer } from '../../../test/harness/nats-server.js'
import { spawnService } from '../../../test/harness/service-process.js'
import { migrations, SCHEMA } from '../src/migrations/index.js'

export interface BenchInfra {
  logger: Logger
  databaseUrl: string
  nats: TestNatsServer
  nc: NatsConnection
  /** The Temporal frontend. */
  address: string
  client: Client
  /** Stops what this started and drops the database; the benchmark closes its own pools first. */
  stop(): Promise<void>
}

export async function startBenchInfra(options: { recipients: number; cap: number }): Promise<BenchInfra> {
  const logger = createLogger({ service: 'bench', level: process.env.LOG_LEVEL ?? 'warn' })
  const serverUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const dbName = `banditore_bench_${randomUUID().slice(0, 8)}`
  const admin = createDatabase<Record<string, never>>({ url: serverUrl, applicationName: 'bench-admin', max: 1 })
  await sql`create database ${sql.id(dbName)}`.execute(admin)
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()
  const migrator = createDatabase<Record<string, never>>({ url: databaseUrl, applicationName: 'bench-migrate', max: 1 })
  await migrateToLatest(migrator, SCHEMA, migrations)
  await migrateToLatest(migrator, WORKER_SCHEMA, workerMigrations)
  await migrator.destroy()

  const nats = await startNatsServer()
  const nc = await connectNats({ servers: nats.url, name: 'bench', logger })
  await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter])
  const temporal = process.env.BENCH_TEMPORAL_ADDRESS
    ? undefined
    : await TestWorkflowEnvironment.createLocal({
        server: { executable: { type: 'existing-path', path: binaryPath('temporal') }, ip: '127.0.0.1', extraArgs: ['--log-level', 'error'] },
      })
  const address = process.env.BENCH_TEMPORAL_ADDRESS ?? (temporal?.address as string)
  const clientConnection = await Connection.connect({ address })
  const client = new Client({ connection: clientConnection })

  const subscriptions = spawnService(fileURLToPath(new URL('./subscriptions.process.ts', import.meta.url)), {
    NATS_URL: nats.url,
    DATABASE_URL: databaseUrl,
    BENCH_RECIPIENTS: String(options.recipients),
    BENCH_CAP: String(options.cap),
  })
  for (let waited = 0; !subscriptions.output().includes('subscriptions ready'); waited += 100) {
    if (waited > 180_000 || subscriptions.child.exitCode !== null) throw new Error(`subscriptions did not start: ${subscriptions.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }

  return {
    logger,
    databaseUrl,
    nats,
    nc,
    address,
    client,
    async stop() {
      await subscriptions.signal('SIGTERM').catch(() => undefined)
      await nc.drain().catch(() => undefined)
      await clientConnection.close()
      await temporal?.teardown()
      await nats.dispose()
      await new Promise((resolve) => setTimeout(resolve, 300))
      await sql`drop database if exists ${sql.id(dbName)} with (force)`.execute(admin)
      await admin.destroy()
    },
  }
}
