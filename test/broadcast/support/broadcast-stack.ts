import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import {
  buildApp as buildBroadcastApp,
  createBroadcastWorkflows,
  createEmergencyWorkflows,
  createOutboundChecker,
  hashToken,
  loadConfig as loadBroadcastConfig,
  migrations as broadcastMigrations,
  SCHEMA as BROADCAST_SCHEMA,
  upsertBootstrapToken,
  type BroadcastDatabase,
} from '@banditore/broadcast'
import { ModerationSubjects, OutboundCheckReplyContract, Streams, type StaffRole } from '@banditore/contracts'
import {
  buildApp as buildIngestApp,
  loadConfig as loadIngestConfig,
  migrations as ingestMigrations,
  SCHEMA as INGEST_SCHEMA,
  type IngestDatabase,
} from '@banditore/ingest'
import { answerOutboundCheck, compileRuleset, ProfileDirectory, readRulesetDirectory, RulesetStore } from '@banditore/moderation'
import { connectNats, createDatabase, ensureStreams, migrateToLatest, type Logger, type RunningConsumer, type TenantDirectory } from '@banditore/platform'
import { startSimulator, type RunningSimulator, type StartSimulatorOptions } from '@banditore/provider-simulator'
import { migrations as workerMigrations, startWorkerProgressResponder, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import type { NatsConnection } from '@nats-io/transport-node'
import { Client, Connection } from '@temporalio/client'
import type { Kysely } from 'kysely'
import { inject } from 'vitest'
import { captureLogs, createTestDatabase, startNatsServer, type CapturedLogs, type TestDatabase, type TestNatsServer } from '../../harness/index.js'
import { BORGO, borgoTenant, SECRETS } from './broadcast-tenant.js'
import { startSubscribers, type Subscribers } from './subscribers.js'

const RULES_DIR = fileURLToPath(new URL('../../../rules', import.meta.url))
export const ADMIN_TOKEN = 'bootstrap-admin-token-for-the-broadcast-tests'

export interface StackOptions {
  whatsappMps?: number
  smsMps?: number
  /** Simulator settings (caps, faults, statuses); senders are registered by the stack. */
  simulator?: Omit<StartSimulatorOptions, 'whatsapp' | 'twilio'>
  /** Provider throughput cap of the WhatsApp number (default: the tenant's tier). */
  whatsappCap?: number
  /** Topics besides emergenze, avvisi and eventi (one per test keeps audiences apart). */
  extraTopics?: string[]
  /** The tenant's `emergency` block. */
  emergency?: Record<string, unknown>
}

/**
 * The broadcast path of Banditore for one test file, all real: a private nats-server, a fresh
 * PostgreSQL database (broadcast, worker and ingest schemas), ingest receiving the simulator's status
 * webhooks, moderation's outbound check over the shipped rules, the staff API with a Temporal
 * client, and the subscriptions service answering audience pages and taking opt-outs. The worker
 * is started by the test (in-process or as a child process) on `taskQueue`.
 */
export interface BroadcastStack {
  nats: TestNatsServer
  nc: NatsConnection
  database: TestDatabase
  /** The staff API's view of the schema. */
  db: Kysely<BroadcastDatabase>
  /** The worker's view (its own pool, as in its own process). */
  workerDb: Kysely<WorkerDatabase>
  tenants: TenantDirectory
  sim: RunningSimulator
  /** The subscriptions service: the audience of every broadcast. */
  audience: Subscribers
  api: Awaited<ReturnType<typeof buildBroadcastApp>>
  ingestUrl: string
  client: Client
  taskQueue: string
  logs: CapturedLogs
  logger: Logger
  /** A token of `role` for `holder` (created through the API by the bootstrap admin). */
  token(role: StaffRole, holder: string): Promise<string>
  /** Calls the staff API; returns status and parsed body (read loosely, as tests do). */
  call(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    token: string | undefined,
    body?: unknown,
    raw?: { body: string; contentType: string },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read any field
  ): Promise<{ status: number; body: any }>
  stop(): Promise<void>
}

export async function startBroadcastStack(options: StackOptions = {}): Promise<BroadcastStack> {
  const stops: Array<() => Promise<unknown>> = []
  const logs = captureLogs('broadcast-test', 'info')
  const { logger } = logs
  const nats = await startNatsServer()
  stops.push(() => nats.dispose())
  const nc = await connectNats({ servers: nats.url, name: 'broadcast-test', logger })
  stops.push(() => nc.drain())
  await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter])

  const database = await createTestDatabase()
  stops.push(async () => {
    // pg's pool.end() resolves before its connections have said goodbye; a forced drop would
    // kill them mid-goodbye and surface as uncaught errors.
    await new Promise((resolve) => setTimeout(resolve, 300))
    await database.drop()
  })
  const db = createDatabase<BroadcastDatabase>({ url: database.url, applicationName: 'broadcast-test', max: 5 })
  stops.push(() => db.destroy())
  const workerDb = createDatabase<WorkerDatabase>({ url: database.url, applicationName: 'worker-test', max: 10 })
  stops.push(() => workerDb.destroy())
  await migrateToLatest(db, BROADCAST_SCHEMA, broadcastMigrations)
  await migrateToLatest(workerDb, WORKER_SCHEMA, workerMigrations)
  const ingestDb = createDatabase<IngestDatabase>({ url: database.url, applicationName: 'ingest-test', max: 4 })
  stops.push(() => ingestDb.destroy())
  await migrateToLatest(ingestDb, INGEST_SCHEMA, ingestMigrations)

  const tenants = borgoTenant({ whatsappMps: options.whatsappMps ?? 80, smsMps: options.smsMps ?? 10, extraTopics: options.extraTopics ?? [], ...(options.emergency ? { emergency: options.emergency } : {}) })

  const ingest = await buildIngestApp(loadIngestConfig({ LOG_LEVEL: 'warn' }), {
    logger: logger.child({ service: 'ingest' }),
    nc,
    db: ingestDb,
    tenants,
    secrets: (name) => SECRETS[name],
  })
  const ingestAddress = await ingest.listen({ port: 0, host: '127.0.0.1' })
  const ingestUrl = ingestAddress.replace('localhost', '127.0.0.1')
  stops.push(() => ingest.close())

  const sim = await startSimulator({
    statusDelayMs: 2,
    ...options.simulator,
    whatsapp: [
      {
        phoneNumberId: BORGO.phoneNumberId,
        displayPhoneNumber: BORGO.whatsappNumber,
        accessToken: SECRETS.BORGO_WA_TOKEN as string,
        appSecret: SECRETS.BORGO_WA_SECRET as string,
        webhookUrl: `${ingestUrl}/webhooks/whatsapp`,
        throughputPerSecond: options.whatsappCap ?? options.whatsappMps ?? 80,
      },
    ],
    twilio: [
      {
        accountSid: SECRETS.BORGO_SMS_SID as string,
        authToken: SECRETS.BORGO_SMS_TOKEN as string,
        numbers: [{ number: BORGO.smsNumber, throughputPerSecond: options.smsMps ?? 10 }],
      },
    ],
  })
  stops.push(() => sim.stop())

  // Moderation's own outbound check over the shipped rules, as its service answers it.
  const profiles = ProfileDirectory.fromTenants(tenants.all())
  const store = new RulesetStore(await compileRuleset(await readRulesetDirectory(RULES_DIR), profiles), profiles)
  const moderation = nc.subscribe(ModerationSubjects.checkOutbound, {
    callback: (_error, msg) => void answerOutboundCheck(store, msg.data, new Date()).then((reply) => msg.respond(OutboundCheckReplyContract.encode(reply))),
  })
  stops.push(async () => moderation.unsubscribe())

  // The worker's answers about its runs (progress, timelines), as its process gives them; up for
  // the whole file, so a test that stops or kills its worker still reads progress.
  const responder = startWorkerProgressResponder({ nc, db: workerDb, logger })
  stops.push(() => responder.stop())

  const audience = await startSubscribers({ nc, databaseUrl: database.url, tenants, logger })
  stops.push(() => audience.stop())

  const connection = await Connection.connect({ address: inject('temporalAddress') })
  stops.push(() => connection.close())
  const client = new Client({ connection })
  const taskQueue = `broadcast-${randomUUID()}`
  const config = loadBroadcastConfig({ BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, TEMPORAL_TASK_QUEUE_BROADCAST: taskQueue, OUTBOUND_CHECK_TIMEOUT_MS: '2000' })
  await upsertBootstrapToken(db, hashToken(ADMIN_TOKEN))
  const api = await buildBroadcastApp(config, {
    logger,
    nc,
    db,
    tenants,
    workflows: createBroadcastWorkflows({ client, taskQueue }),
    // The test's worker serves every workflow on one queue: emergencies run there too.
    emergencies: createEmergencyWorkflows({ client, taskQueue }),
    checker: createOutboundChecker({ nc, logger, timeoutMs: config.OUTBOUND_CHECK_TIMEOUT_MS }),
    temporalReady: async () => void (await connection.healthService.check({})),
  })
  stops.push(() => api.close())

  const call: BroadcastStack['call'] = async (method, url, token, body, raw) => {
    const response = await api.inject({
      method,
      url,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(raw ? { 'content-type': raw.contentType } : {}) },
      ...(raw ? { payload: raw.body } : body !== undefined ? { payload: body as object } : {}),
    })
    return { status: response.statusCode, body: response.body ? JSON.parse(response.body) : undefined }
  }

  return {
    nats,
    nc,
    database,
    db,
    workerDb,
    tenants,
    sim,
    audience,
    api,
    ingestUrl,
    client,
    taskQueue,
    logs,
    logger,
    call,
    async token(role, holder) {
      const created = await call('POST', '/v1/tokens', ADMIN_TOKEN, { tenant: BORGO.id, role, holder, label: `${role} ${holder}` })
      if (created.status !== 201) throw new Error(`token not created: ${JSON.stringify(created.body)}`)
      return created.body.token as string
    },
    async stop() {
      for (const stop of stops.reverse()) await stop().catch(() => undefined)
    },
  }
}

/** Stops consumers started by a test, ignoring those never started. */
export async function stopAll(consumers: ReadonlyArray<RunningConsumer | undefined>): Promise<void> {
  await Promise.all(consumers.map((c) => c?.stop()))
}
