import { fileURLToPath } from 'node:url'
import { Streams } from '@banditore/contracts'
import type { IngestConfig, IngestDatabase } from '@banditore/ingest'
import { createDatabase } from '@banditore/platform'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { startWorld, type CapturedLogs, type TestDatabase, type TestNatsServer, type World } from '../harness/index.js'

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

export interface RunningIngest {
  /** Base URL of the listening service (also its PUBLIC_BASE_URL). */
  url: string
  config: IngestConfig
  world: World
  nats: TestNatsServer
  database: TestDatabase
  /** The test's own connection, for reading streams. */
  nc: NatsConnection
  db: Kysely<IngestDatabase>
  logs: CapturedLogs
  close(): Promise<void>
}

/**
 * Ingest as production runs it (its service definition, in this process) in a world of its own:
 * a private nats-server, a fresh database, the fixture tenants and their secrets. With
 * `databaseUrl`, ingest's pool points there once its schema is migrated (PostgreSQL down).
 */
export async function startIngest(env: Record<string, string> = {}, options: { databaseUrl?: string } = {}): Promise<RunningIngest> {
  const { databaseUrl } = options
  const world = await startWorld({
    services: [
      {
        name: 'ingest',
        ...(databaseUrl
          ? {
              definition: (production) => ({
                ...production,
                async start(resources) {
                  const db = createDatabase({ url: databaseUrl, applicationName: 'ingest' })
                  const running = await production.start({ ...resources, db })
                  return { ...running, stop: [...(running.stop ?? []), { name: 'unreachable pool', run: () => db.destroy() }] }
                },
              }),
              waitFor: 'alive' as const,
            }
          : {}),
      },
    ],
    tenantsDir,
    simulator: false,
    env: { ...fixtureSecrets, ...env },
  })
  const db = world.openDatabase<IngestDatabase>({ applicationName: 'ingest-test' })
  const ingest = world.services.ingest!
  return {
    url: ingest.url,
    config: ingest.config as IngestConfig,
    world,
    nats: world.nats,
    database: world.database,
    nc: world.nc,
    db,
    logs: world.logs,
    close: () => world.stop(),
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
