import { freePort } from '../harness/index.js'
import { fileURLToPath } from 'node:url'
import { Streams } from '@banditore/contracts'
import { buildApp, loadConfig, migrations, SCHEMA, secretsFrom, type IngestConfig, type IngestDatabase } from '@banditore/ingest'
import { connectNats, createDatabase, ensureStreams, loadTenantDirectory, migrateToLatest, type Logger } from '@banditore/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { captureLogs, createTestDatabase, startNatsServer, type CapturedLogs, type TestDatabase, type TestNatsServer } from '../harness/index.js'

export const tenantsDir = fileURLToPath(new URL('./fixtures/tenants', import.meta.url))

/** The secrets the fixture tenants name, as the environment would hold them. */
export const fixtureSecrets = {
  VALDORO_WA_SECRET: 'valdoro-meta-app-secret',
  VALDORO_WA_TOKEN: 'valdoro-access-token',
  VALDORO_SMS_SID: 'ACvaldoro',
  VALDORO_SMS_TOKEN: 'valdoro-sms-auth-token',
  MONTEBIANCO_WA_SECRET: 'montebianco-meta-app-secret',
  MONTEBIANCO_WA_TOKEN: 'montebianco-access-token',
} as const

export const fixture = {
  valdoro: { phoneNumberId: '200000000000001', whatsapp: '+393330000101', sms: '+393330000102' },
  montebianco: { phoneNumberId: '200000000000002', whatsapp: '+393330000201' },
} as const


type IngestApp = Awaited<ReturnType<typeof buildApp>>

export interface RunningIngest {
  /** Base URL of the listening app (also its PUBLIC_BASE_URL). */
  url: string
  app: IngestApp
  config: IngestConfig
  nats: TestNatsServer
  database: TestDatabase
  /** The test's own connection, for reading streams. */
  nc: NatsConnection
  db: Kysely<IngestDatabase>
  logs: CapturedLogs
  close(): Promise<void>
}

/**
 * Ingest as the service runs it, in this process: a private nats-server, a fresh database,
 * migrations, streams, and the real app listening on a free port.
 */
export async function startIngest(
  env: Record<string, string> = {},
  options: { databaseUrl?: string; logger?: Logger } = {},
): Promise<RunningIngest> {
  const nats = await startNatsServer()
  const database = await createTestDatabase()
  const logs = captureLogs('ingest', 'info')
  const logger = options.logger ?? logs.logger
  const nc = await connectNats({ servers: nats.url, name: 'ingest-test', logger })
  await ensureStreams(nc, [Streams.inbound, Streams.deadLetter])
  const db = createDatabase<IngestDatabase>({ url: database.url, applicationName: 'ingest-test' })
  await migrateToLatest(db, SCHEMA, migrations)
  const appDb = options.databaseUrl ? createDatabase<IngestDatabase>({ url: options.databaseUrl, applicationName: 'ingest-test' }) : db

  const tenants = await loadTenantDirectory(tenantsDir)
  // The SMS gateway signs the public URL it calls, so ingest must know it: a free port, fixed.
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const config = loadConfig({ TENANTS_DIR: tenantsDir, NATS_URL: nats.url, DATABASE_URL: database.url, PUBLIC_BASE_URL: url, ...env })
  const app = await buildApp(config, { logger, nc, db: appDb, tenants, secrets: secretsFrom({ ...fixtureSecrets }) })
  await app.listen({ port, host: '127.0.0.1' })
  return {
    url,
    app,
    config,
    nats,
    database,
    nc,
    db,
    logs,
    async close() {
      await app.close()
      await nc.drain().catch(() => undefined)
      if (appDb !== db) await appDb.destroy()
      await db.destroy()
      await nats.dispose()
      await database.drop()
    },
  }
}

export interface StoredMessage {
  subject: string
  seq: number
  msgId: string | undefined
  json: Record<string, unknown>
}

/** Every message of the INBOUND stream on `subject` (wildcards allowed), in stream order. */
export async function readInbound(nc: NatsConnection, subject: string): Promise<StoredMessage[]> {
  const jsm = await jetstreamManager(nc)
  const info = await jsm.streams.info(Streams.inbound.name, { subjects_filter: subject })
  const expected = Object.values(info.state.subjects ?? {}).reduce((a, b) => a + b, 0)
  if (expected === 0) return []
  const consumer = await jetstream(nc).consumers.get(Streams.inbound.name, { filter_subjects: subject })
  const messages: StoredMessage[] = []
  // The stream said how many it holds: read until all came, however slowly a busy machine serves
  // them (an empty fetch is not the end), within a deadline only a real failure reaches.
  const deadline = Date.now() + 30_000
  while (messages.length < expected && Date.now() < deadline) {
    const batch = await consumer.fetch({ max_messages: expected - messages.length, expires: 2000 })
    for await (const m of batch) {
      messages.push({ subject: m.subject, seq: m.seq, msgId: m.headers?.get('Nats-Msg-Id') || undefined, json: m.json() })
    }
  }
  return messages
}
