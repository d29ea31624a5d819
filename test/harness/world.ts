import { randomUUID } from 'node:crypto'
import { setPriority } from 'node:os'
import { fileURLToPath } from 'node:url'
import { connectNats, createDatabase, loadTenantDirectory, startService, type Logger, type ServiceDefinition, type TenantDirectory } from '@banditore/platform'
import type { RunningSimulator, StartSimulatorOptions } from '@banditore/provider-simulator'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import { localSenders } from '../../scripts/local-senders.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { runProvided } from './run-context.js'
import { workflowBundlePath } from './workflow-bundle.js'
import { captureLogs, type CapturedLogs } from './logs.js'
import { freePort, startNatsServer, type TestNatsServer } from './nats-server.js'
import { spawnService, waitForHttp, type ServiceProcess } from './service-process.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The deployables a world can start (the provider simulator is the world's own, see `simulator`). */
export type WorldServiceName = 'ingest' | 'moderation' | 'subscriptions' | 'broadcast' | 'worker' | 'console'
export type WorldMode = 'in-process' | 'process'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any deployable's configuration and database
type AnyDefinition = ServiceDefinition<any, any>
/** A deployable's fastify instance, as `startService` returns it. */
type ServiceHttp = Awaited<ReturnType<typeof startService>>['http']

/**
 * Each deployable's production definition (run in-process by `startService`) and its real entry
 * (run as a process, as `scripts/stack.ts` and the images do). Imported on demand: a world of
 * ingest alone never loads Temporal's worker.
 */
const DEPLOYABLES: Record<WorldServiceName, { definition: () => Promise<AnyDefinition>; entry: string }> = {
  ingest: { definition: async () => (await import('@banditore/ingest')).ingestService, entry: 'services/ingest/src/main.ts' },
  moderation: { definition: async () => (await import('@banditore/moderation')).moderationService, entry: 'services/moderation/src/main.ts' },
  subscriptions: { definition: async () => (await import('@banditore/subscriptions')).subscriptionsService, entry: 'services/subscriptions/src/main.ts' },
  broadcast: { definition: async () => (await import('@banditore/broadcast')).broadcastService, entry: 'services/broadcast/src/main.ts' },
  worker: { definition: async () => (await import('@banditore/workflows')).workerService, entry: 'workflows/src/main.ts' },
  console: { definition: async () => (await import('@banditore/console')).consoleService, entry: 'services/console/src/main.ts' },
}
const SIMULATOR_ENTRY = 'services/provider-simulator/src/main.ts'

export interface WorldServiceSpec {
  name: WorldServiceName
  /** Default: the world's `mode`. */
  mode?: WorldMode
  /**
   * In-process only: the definition to start instead of production's, derived from it (to
   * inject a clock, or a broken pool). Receives production's definition.
   */
  definition?: (production: AnyDefinition) => AnyDefinition
  /** Variables for this service only (over the world's `env` and `serviceEnv`). */
  env?: Record<string, string>
  /** What "started" means: `/readyz` answers 200 (default) or only `/healthz` does (a dependency is down on purpose). */
  waitFor?: 'ready' | 'alive'
  /** As processes only: how many replicas run behind the same streams and task queues (default 1). */
  replicas?: number
}

/** One running process of a deployable started as processes. */
export interface WorldInstance {
  url: string
  /** The current process (a new one after `restart`). */
  readonly process: ServiceProcess
  /** Ends the process with a signal (default SIGKILL, as a crash or an OOM kill does). */
  kill(signal?: NodeJS.Signals): Promise<void>
  /** Starts the process again on the same port with the same environment, as a supervisor does; resolves once it is ready. */
  restart(): Promise<void>
}

export interface WorldSimulatorOptions {
  /** Default: in-process (`startSimulator`, driven directly); `process` runs its real main.ts. */
  mode?: WorldMode
  /** Senders to register instead of every tenant's numbers (webhooks pointed at ingest). */
  whatsapp?: StartSimulatorOptions['whatsapp']
  twilio?: StartSimulatorOptions['twilio']
  /** Adjusts the senders registered (every tenant's numbers, webhooks pointed at ingest), e.g. a lower cap. */
  adjustSenders?: (senders: Pick<StartSimulatorOptions, 'whatsapp' | 'twilio'>) => Pick<StartSimulatorOptions, 'whatsapp' | 'twilio'>
  /** In-process: settings besides the senders (caps, faults, status delay). */
  options?: Omit<StartSimulatorOptions, 'whatsapp' | 'twilio' | 'host' | 'port'>
  /** As a process: extra SIM_* variables. */
  env?: Record<string, string>
  /** As a process: its nice value (a remote provider's clock does not stall when the sender's machine is busy). */
  priority?: number
}

export interface WorldOptions {
  services: readonly (WorldServiceName | WorldServiceSpec)[]
  /** How services run unless their spec says otherwise (default: in-process). */
  mode?: WorldMode
  /** Tenant files (default: the repository's `tenants/`). */
  tenantsDir?: string
  /** Variables every service gets, over the world's own (secrets the tenant files name, for instance). */
  env?: Record<string, string>
  /** Variables per service, over `env`. */
  serviceEnv?: Partial<Record<WorldServiceName, Record<string, string>>>
  /** The provider simulator (started by default, every tenant's numbers registered); `false`: none. */
  simulator?: WorldSimulatorOptions | false
  /** The level in-process services log at into `logs` (default info). */
  logLevel?: string
  /** The PostgreSQL server the world's database is created on (default: the run's). */
  postgresUrl?: string
  /** The Temporal server (default: the run's). */
  temporalAddress?: string
  /** Runs once NATS and the database are up, before any service starts (seed a KV bucket, for instance). */
  beforeServices?: (world: { nats: TestNatsServer; nc: NatsConnection; database: TestDatabase; logger: Logger }) => Promise<void>
}

export interface WorldService {
  name: WorldServiceName
  mode: WorldMode
  url: string
  /** In-process: the deployable's fastify instance, its configuration and logger. */
  http?: ServiceHttp
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each deployable's own configuration
  config?: any
  logger?: Logger
  /** As a process: the (first replica's) child, its output and exit. */
  process?: ServiceProcess
  /** As processes: every replica (the first is `process`, listening at `url`). */
  instances?: WorldInstance[]
  /** Stops it as production does (its shutdown steps, or SIGTERM); the world's stop skips it then. */
  stop(): Promise<void>
}

export interface WorldSimulator {
  url: string
  /** In-process: the simulator itself (records, faults, injections). */
  running?: RunningSimulator
  process?: ServiceProcess
}

export interface World {
  /** Base URLs of what was started, the simulator included. */
  urls: Partial<Record<WorldServiceName | 'simulator', string>>
  /** The base URL of a started service; throws when it was not started. */
  url(name: WorldServiceName | 'simulator'): string
  services: Partial<Record<WorldServiceName, WorldService>>
  simulator: WorldSimulator | undefined
  nats: TestNatsServer
  /** The test's own connection (read streams, publish as another service would). */
  nc: NatsConnection
  database: TestDatabase
  tenantsDir: string
  tenants: TenantDirectory
  /** The variables every service was given (secrets, URLs, task queues). */
  env: Record<string, string>
  /** The private Temporal task queues of this world. */
  taskQueues: { broadcast: string; emergency: string; replies: string }
  /** What in-process services logged (processes' output is on `services[name].process`). */
  logs: CapturedLogs
  /** A pool on the world's database (unscoped), closed by `stop`. */
  openDatabase<Db>(options?: { max?: number; applicationName?: string }): Kysely<Db>
  /** Stops everything, in the reverse order of starting, and drops the database. */
  stop(): Promise<void>
}

/**
 * One test world: a fresh database, a private nats-server, the run's Temporal server with
 * private task queues, the provider simulator, and the requested deployables started from the
 * same definitions (in-process, `startService`) or entries (processes, their `main.ts`) as
 * production, each listening on a free port and ready before this resolves.
 */
export async function startWorld(options: WorldOptions): Promise<World> {
  const stops: Array<() => Promise<unknown>> = []
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined)
  }
  try {
    const logs = captureLogs('world', options.logLevel ?? 'info')
    const tenantsDir = options.tenantsDir ?? `${root}tenants`
    const tenants = await loadTenantDirectory(tenantsDir)
    const specs = options.services.map((s) => (typeof s === 'string' ? { name: s } : s)) as WorldServiceSpec[]

    const [nats, database] = await Promise.all([startNatsServer(), createTestDatabase(options.postgresUrl)])
    stops.push(() => database.drop())
    stops.push(() => nats.dispose())
    const nc = await connectNats({ servers: nats.url, name: 'world-test', logger: logs.logger })
    stops.push(() => nc.drain())
    const pools: Kysely<unknown>[] = []
    stops.push(async () => await Promise.all(pools.map((p) => p.destroy())))

    // Every deployable gets a port, started or not: what is started knows where the others would be.
    const names = [...(Object.keys(DEPLOYABLES) as WorldServiceName[]), 'simulator' as const]
    const ports = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await freePort()] as const))) as Record<WorldServiceName | 'simulator', number>
    const urlOf = (name: WorldServiceName | 'simulator') => `http://127.0.0.1:${ports[name]}`
    const ingestUrl = urlOf('ingest')
    const simulatorUrl = urlOf('simulator')

    const senders = localSenders(tenants.all(), ingestUrl, options.env)
    const queue = randomUUID().slice(0, 8)
    const taskQueues = { broadcast: `world-broadcast-${queue}`, emergency: `world-emergency-${queue}`, replies: `world-replies-${queue}` }
    const env: Record<string, string> = {
      ...senders.secrets,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: options.temporalAddress ?? (await runProvided('temporalAddress')),
      TEMPORAL_TASK_QUEUE_BROADCAST: taskQueues.broadcast,
      TEMPORAL_TASK_QUEUE_EMERGENCY: taskQueues.emergency,
      TEMPORAL_TASK_QUEUE_REPLIES: taskQueues.replies,
      TENANTS_DIR: tenantsDir,
      RULES_DIR: `${root}rules`,
      WHATSAPP_API_BASE_URL: simulatorUrl,
      SMS_API_BASE_URL: simulatorUrl,
      SMS_STATUS_CALLBACK_URL: `${ingestUrl}/webhooks/sms/status`,
      PUBLIC_BASE_URL: ingestUrl,
      WHATSAPP_VERIFY_TOKEN: 'world-verify-token',
      SUBSCRIBER_HASH_KEY: 'world-subscriber-hash-key-0123456789abcdef',
      ...options.env,
    }
    // What a deployable needs to find the others, unless told otherwise.
    const wiring: Partial<Record<WorldServiceName, Record<string, string>>> = {
      console: { PUBLIC_URL: urlOf('console'), BROADCAST_API_URL: urlOf('broadcast'), SUBSCRIPTIONS_API_URL: urlOf('subscriptions'), MODERATION_API_URL: urlOf('moderation') },
    }

    await options.beforeServices?.({ nats, nc, database, logger: logs.logger })

    let simulator: WorldSimulator | undefined
    if (options.simulator !== false) {
      const sim = options.simulator ?? {}
      const registered = { whatsapp: sim.whatsapp ?? senders.whatsapp, twilio: sim.twilio ?? senders.twilio }
      const { whatsapp, twilio } = sim.adjustSenders ? sim.adjustSenders(registered) : registered
      if ((sim.mode ?? 'in-process') === 'in-process') {
        const { startSimulator } = await import('@banditore/provider-simulator')
        const running = await startSimulator({ ...sim.options, host: '127.0.0.1', port: ports.simulator, whatsapp, twilio })
        stops.push(() => running.stop())
        simulator = { url: running.url, running }
      } else {
        const proc = spawnService(SIMULATOR_ENTRY, {
          SIM_HOST: '127.0.0.1',
          SIM_PORT: String(ports.simulator),
          SIM_LOG_LEVEL: 'warn',
          SIM_SENDERS: JSON.stringify({ whatsapp, twilio }),
          ...sim.env,
        })
        stops.push(async () => proc.child.exitCode === null && (await proc.signal('SIGTERM')))
        if (sim.priority !== undefined && proc.child.pid !== undefined) setPriority(proc.child.pid, sim.priority)
        await waitForStart('provider-simulator', `${simulatorUrl}/_sim/health`, proc)
        simulator = { url: simulatorUrl, process: proc }
      }
    }

    const services: Partial<Record<WorldServiceName, WorldService>> = {}
    const mode = options.mode ?? 'in-process'
    // Services migrate their schemas at start, safely in parallel: they start together, as in
    // production. All are settled before a failure is reported, so stopping leaves none behind.
    const outcomes = await Promise.allSettled(
      specs.map(async (spec) => {
        const { name } = spec
        const serviceEnv: Record<string, string> = { ...env, ...wiring[name], ...options.serviceEnv?.[name], ...spec.env, PORT: String(ports[name]) }
        const url = urlOf(name)
        const readyPath = spec.waitFor === 'alive' ? '/healthz' : '/readyz'
        let stopped = false
        if ((spec.mode ?? mode) === 'in-process') {
          if ((spec.replicas ?? 1) > 1) throw new Error(`${name}: replicas run as processes only`)
          const production = await DEPLOYABLES[name].definition()
          const definition = spec.definition ? spec.definition(production) : production
          const logger = logs.logger.child({ service: name })
          const started = await startService(definition, serviceEnv, { installSignals: false, logger })
          const stopService = async () => {
            if (stopped) return
            stopped = true
            await started.shutdown()
          }
          stops.push(stopService)
          await started.http.listen({ port: ports[name], host: '127.0.0.1' })
          await waitForStart(name, `${url}${readyPath}`)
          services[name] = { name, mode: 'in-process', url, http: started.http, config: started.config, logger, stop: stopService }
        } else {
          if (spec.definition) throw new Error(`${name}: a derived definition runs in-process only`)
          const replicas = spec.replicas ?? 1
          if (name === 'worker' && !serviceEnv.WORKFLOW_BUNDLE_PATH) serviceEnv.WORKFLOW_BUNDLE_PATH = await workflowBundlePath()
          const instances: WorldInstance[] = []
          const stopService = async () => {
            if (stopped) return
            stopped = true
            await Promise.all(instances.map(async ({ process }) => process.child.exitCode === null && (await process.signal('SIGTERM'))))
          }
          stops.push(stopService)
          for (let replica = 0; replica < replicas; replica++) {
            const port = replica === 0 ? ports[name] : await freePort()
            const instanceUrl = `http://127.0.0.1:${port}`
            const instanceEnv = { ...serviceEnv, PORT: String(port) }
            let proc = spawnService(DEPLOYABLES[name].entry, instanceEnv)
            instances.push({
              url: instanceUrl,
              get process() {
                return proc
              },
              async kill(signal = 'SIGKILL') {
                if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.signal(signal)
              },
              async restart() {
                if (proc.child.exitCode === null && proc.child.signalCode === null) await proc.signal('SIGTERM')
                proc = spawnService(DEPLOYABLES[name].entry, instanceEnv)
                await waitForStart(`${name} (replica ${replica + 1})`, `${instanceUrl}${readyPath}`, proc)
              },
            })
          }
          await Promise.all(instances.map((instance, i) => waitForStart(replicas > 1 ? `${name} (replica ${i + 1})` : name, `${instance.url}${readyPath}`, instance.process)))
          services[name] = {
            name,
            mode: 'process',
            url,
            get process() {
              return instances[0]!.process
            },
            instances,
            stop: stopService,
          }
        }
      }),
    )
    const failed = outcomes.find((outcome) => outcome.status === 'rejected')
    if (failed) throw failed.reason

    const urls: World['urls'] = Object.fromEntries([
      ...Object.values(services).map((s) => [s.name, s.url] as const),
      ...(simulator ? [['simulator', simulator.url] as const] : []),
    ])
    return {
      urls,
      url(name) {
        const url = urls[name]
        if (!url) throw new Error(`${name} was not started in this world`)
        return url
      },
      services,
      simulator,
      nats,
      nc,
      database,
      tenantsDir,
      tenants,
      env,
      taskQueues,
      logs,
      openDatabase<Db>({ max = 5, applicationName = 'world-test' } = {}) {
        const pool = createDatabase<Db>({ url: database.url, applicationName, max })
        pools.push(pool as Kysely<unknown>)
        return pool
      },
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}

async function waitForStart(name: string, url: string, proc?: ServiceProcess): Promise<void> {
  try {
    await waitForHttp(url, 200, 180_000, proc ? () => proc.child.exitCode === null : undefined)
  } catch (error) {
    throw new Error(`${name} did not start: ${String(error)}${proc ? `\n${proc.output().slice(-3000)}` : ''}`, { cause: error })
  }
}
