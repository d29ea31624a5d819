import { randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BroadcastDatabase } from '@banditore/broadcast'
import { ModerationSubjects, OutboundCheckReplyContract, type StaffRole } from '@banditore/contracts'
import { answerOutboundCheck, compileRuleset, ProfileDirectory, readRulesetDirectory, RulesetStore } from '@banditore/moderation'
import { migrateToLatest, type Logger, type RunningConsumer, type TenantDirectory } from '@banditore/platform'
import type { RunningSimulator, StartSimulatorOptions } from '@banditore/provider-simulator'
import { buildSubscriptionsService, SCHEMA as SUBSCRIPTIONS_SCHEMA, type SubscriptionsDatabase, type SubscriptionsService } from '@banditore/subscriptions'
import { migrations as workerMigrations, startWorkerProgressResponder, WORKER_SCHEMA, type WorkerDatabase } from '@banditore/workflows'
import type { NatsConnection } from '@nats-io/transport-node'
import { Client, Connection } from '@temporalio/client'
import type { Kysely } from 'kysely'
import { inject } from 'vitest'
import { startWorld, type CapturedLogs, type TestDatabase, type TestNatsServer, type World, type WorldService } from '../../harness/index.js'
import { BORGO, borgoTenantDocument, SECRETS } from './broadcast-tenant.js'
import { SUBSCRIBER_HASH_KEY, subscribersOf, type Subscribers } from './subscribers.js'

const RULES_DIR = fileURLToPath(new URL('../../../rules', import.meta.url))
export const ADMIN_TOKEN = 'bootstrap-admin-token-for-the-broadcast-tests'
/** The templates approved in Borgo's WhatsApp business account (the simulator refuses others with 132001). */
const BORGO_APPROVED_TEMPLATES = [
  { name: 'avviso_generico', language: 'it', bodyParameters: 1 },
  { name: 'evento_promo', language: 'it', bodyParameters: 1 },
  { name: 'avviso_viabilita', language: 'it', bodyParameters: 2 },
  { name: 'avviso_viabilita', language: 'fr', bodyParameters: 2 },
]

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
  /** Changes to the tenant file (a messaging limit, a rate card). */
  tenantFile?: (document: Record<string, unknown>) => Record<string, unknown>
  /** More environment of the broadcast service (the DPC bulletin's URL). */
  broadcastEnv?: Record<string, string>
  /**
   * Starts the moderation service too, so citizens' messages sent through the simulator reach
   * subscriptions as in production (ingest, moderation, verdict); otherwise tests publish verdicts.
   */
  moderation?: boolean
}

/**
 * The broadcast path of Banditore for one test file, all real: a test world (private
 * nats-server, fresh database, the tenant "borgo" in a tenant directory of its own, the provider
 * simulator in-process) with ingest, the staff API (emergency acknowledgements included) and the
 * subscriptions service started from their production definitions, broadcasts and emergencies
 * both on `taskQueue`. Besides the world: moderation's outbound check over the shipped rules
 * (not the whole moderation service: the tests pass citizens' messages on as verdicts
 * themselves), the worker's progress responder and schema (up for the whole file, so a test that
 * kills its worker still reads progress), and a Temporal client. The worker is started by the
 * test (in-process or as a child process) on `taskQueue`.
 */
export interface BroadcastStack {
  world: World
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
  /** The staff API (production's broadcast service, in this process), listening at `apiUrl`. */
  api: NonNullable<WorldService['http']>
  apiUrl: string
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
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined)
  }
  const tenantsDir = mkdtempSync(join(tmpdir(), 'banditore-borgo-'))
  stops.push(async () => rmSync(tenantsDir, { recursive: true, force: true }))
  const whatsappMps = options.whatsappMps ?? 80
  writeFileSync(
    join(tenantsDir, 'borgo.json'),
    JSON.stringify(
      (options.tenantFile ?? ((d) => d))(
        borgoTenantDocument({ whatsappMps, smsMps: options.smsMps ?? 10, extraTopics: options.extraTopics ?? [], ...(options.emergency ? { emergency: options.emergency } : {}) }),
      ),
    ),
  )
  // The test's worker serves every workflow on one queue: emergencies run there too.
  const taskQueue = `broadcast-${randomUUID()}`
  let subscriptions: SubscriptionsService | undefined
  const world = await startWorld({
    services: [
      'ingest',
      ...(options.moderation ? (['moderation'] as const) : []),
      'broadcast',
      {
        name: 'subscriptions',
        // Production's definition, its service kept for the audience helpers.
        definition: (production) => ({
          ...production,
          async start({ config, logger, tenants, db, nc }) {
            subscriptions = await buildSubscriptionsService(config, { logger, nc, db: db.withSchema(SUBSCRIPTIONS_SCHEMA), tenants })
            return { http: subscriptions.app }
          },
        }),
      },
    ],
    tenantsDir,
    env: { ...SECRETS },
    serviceEnv: {
      subscriptions: { SUBSCRIBER_HASH_KEY, OUTBOX_RELAY_INTERVAL_MS: '200' },
      broadcast: {
        BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
        TEMPORAL_TASK_QUEUE_BROADCAST: taskQueue,
        TEMPORAL_TASK_QUEUE_EMERGENCY: taskQueue,
        OUTBOUND_CHECK_TIMEOUT_MS: '2000',
        // Tests send at any hour; the quiet-hours tests set the tenant's own.
        QUIET_HOURS_DEFAULT: 'off',
        ...options.broadcastEnv,
      },
    },
    simulator: {
      options: { statusDelayMs: 2, ...options.simulator },
      adjustSenders: ({ whatsapp = [], twilio = [] }) => ({
        whatsapp: whatsapp.map((sender) => ({
          ...sender,
          throughputPerSecond: options.whatsappCap ?? whatsappMps,
          // Borgo's file lists no templates: its business account's approved ones, as the tests send them.
          templates: [...(sender.templates ?? []), ...BORGO_APPROVED_TEMPLATES],
        })),
        twilio,
      }),
    },
  })
  stops.push(() => world.stop())
  const { nats, nc, database, tenants, logs } = world
  const { logger } = logs
  const db = world.openDatabase<BroadcastDatabase>({ applicationName: 'broadcast-test' })
  // The worker's view (its own pool, as in its own process).
  const workerDb = world.openDatabase<WorkerDatabase>({ applicationName: 'worker-test', max: 10 })
  try {
    // The worker's schema, as the worker migrates it at its start (the test starts the worker later).
    await migrateToLatest(workerDb, WORKER_SCHEMA, workerMigrations)

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

    const subscriptionsDb = world.openDatabase<SubscriptionsDatabase>({ applicationName: 'subscriptions-test' }).withSchema(SUBSCRIPTIONS_SCHEMA)
    const audience = subscribersOf(subscriptions!, { nc, db: subscriptionsDb, tenants })

    const connection = await Connection.connect({ address: inject('temporalAddress') })
    stops.push(() => connection.close())
    const client = new Client({ connection })
    const api = world.services.broadcast!.http!
    const sim = world.simulator!.running!
    const ingestUrl = world.url('ingest')

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
      world,
      nats,
      nc,
      database,
      db,
      workerDb,
      tenants,
      sim,
      audience,
      api,
      apiUrl: world.url('broadcast'),
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
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** Stops consumers started by a test, ignoring those never started. */
export async function stopAll(consumers: ReadonlyArray<RunningConsumer | undefined>): Promise<void> {
  await Promise.all(consumers.map((c) => c?.stop()))
}
