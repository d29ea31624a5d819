import { randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import { buildApp as buildConsoleApp, loadConfig as loadConsoleConfig, migrations as consoleMigrations, SCHEMA as CONSOLE_SCHEMA, type ConsoleDatabase } from '@banditore/console'
import { startIdentityProvider, type RunningIdentityProvider } from '@banditore/identity-provider'
import { createDatabase, loadTenantDirectory, migrateToLatest, type TenantDirectory } from '@banditore/platform'
import type { Kysely } from 'kysely'
import { inject } from 'vitest'
import { captureLogs, createTestDatabase, freePort, spawnService, startNatsServer, waitForHttp, type CapturedLogs, type ServiceProcess, type TestDatabase, type TestNatsServer } from '../../harness/index.js'
import { localSenders } from '../../../scripts/local-senders.js'
import { signIn, STAFF_PASSWORD, type SignInOptions } from './sign-in.js'
import type { Page } from 'playwright-core'
import { seedSubscribers, type AudienceMember } from './subscribers.js'
import { ensureWebBundle } from './web-bundle.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const TENANTS_DIR = `${root}tenants`
const RULES_DIR = `${root}rules`

const CONSOLE_CLIENT = { clientId: 'banditore-console', clientSecret: 'console-test-client-secret-0123456789' }
export const SESSION_SECRET = 'console-test-session-secret-0123456789abcdef'
/** The world's SUBSCRIBER_HASH_KEY (seedSubscribers needs it). */
export const SUBSCRIBER_HASH_KEY = 'console-test-subscriber-hash-key-0123456789'

/** The platform's processes a world may start (the console and the identity provider always run). */
export type WorldService = 'simulator' | 'ingest' | 'moderation' | 'subscriptions' | 'broadcast' | 'worker'
const ALL_SERVICES: readonly WorldService[] = ['simulator', 'ingest', 'moderation', 'subscriptions', 'broadcast', 'worker']

export interface ConsoleWorldOptions {
  /** Default: all of them, as `./banditore up` runs them. */
  services?: readonly WorldService[]
  /** The console's idle timeout (minutes; fractions allowed). */
  sessionIdleMinutes?: number
}

/**
 * The platform as staff meet it, for browser tests, all real: a private nats-server, a fresh
 * PostgreSQL database, the shared Temporal dev server (private task queues), the provider
 * simulator and each service as its own process (their real `main.ts`, as the local stack runs
 * them), the OpenID provider with its seeded accounts (`<role>.<tenant>`, `admin`) in this
 * process, and the console serving the built SPA on a free port.
 */
export interface ConsoleWorld {
  /** The console's origin, e.g. http://127.0.0.1:41234. */
  url: string
  issuer: string
  idp: RunningIdentityProvider
  tenants: TenantDirectory
  nats: TestNatsServer
  database: TestDatabase
  /** The console's sessions table (to expire a session, for instance). */
  consoleDb: Kysely<ConsoleDatabase>
  console: Awaited<ReturnType<typeof buildConsoleApp>>
  /** Base URLs of the started services (`simulator` included). */
  serviceUrls: Partial<Record<WorldService, string>>
  processes: Partial<Record<WorldService, ServiceProcess>>
  logs: CapturedLogs
  password: string
  /** Subscribes citizens of a tenant (the subscriptions service must be started). */
  addSubscribers(members: readonly AudienceMember[]): Promise<void>
  /** Signs `username` (`operator.corbetta`, `admin`, ...) in through the provider's login page. */
  signIn(page: Page, username: string, options?: SignInOptions): Promise<void>
  stop(): Promise<void>
}

export async function startConsoleWorld(options: ConsoleWorldOptions = {}): Promise<ConsoleWorld> {
  const wanted = new Set(options.services ?? ALL_SERVICES)
  const stops: Array<() => Promise<unknown>> = []
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined)
  }
  try {
    const logs = captureLogs('console-test', 'info')
    const webDir = await ensureWebBundle()
    const tenants = await loadTenantDirectory(TENANTS_DIR)

    const nats = await startNatsServer()
    stops.push(() => nats.dispose())
    const database = await createTestDatabase()
    stops.push(() => database.drop())

    const ports = Object.fromEntries(await Promise.all([...ALL_SERVICES, 'console' as const].map(async (s) => [s, await freePort()] as const))) as Record<WorldService | 'console', number>
    const urlOf = (port: number) => `http://127.0.0.1:${port}`
    const consoleUrl = urlOf(ports.console)

    const idp = await startIdentityProvider({
      tenants: tenants.all(),
      password: STAFF_PASSWORD,
      clients: [{ ...CONSOLE_CLIENT, redirectUris: [`${consoleUrl}/auth/callback`], postLogoutRedirectUris: [`${consoleUrl}/`], name: 'Console di Banditore' }],
      logger: logs.logger.child({ service: 'identity-provider' }),
    })
    stops.push(() => idp.stop())

    // The services as the local stack starts them (scripts/stack.ts), on this world's ports and queues.
    const serviceUrls: Partial<Record<WorldService, string>> = {}
    const processes: Partial<Record<WorldService, ServiceProcess>> = {}
    const ingestUrl = urlOf(ports.ingest)
    const simulatorUrl = urlOf(ports.simulator)
    const { secrets, whatsapp, twilio } = localSenders(tenants.all(), ingestUrl)
    const queue = randomUUID().slice(0, 8)
    const shared: Record<string, string> = {
      ...secrets,
      NATS_URL: nats.url,
      DATABASE_URL: database.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_TASK_QUEUE_BROADCAST: `console-broadcast-${queue}`,
      TEMPORAL_TASK_QUEUE_EMERGENCY: `console-emergency-${queue}`,
      TEMPORAL_TASK_QUEUE_REPLIES: `console-replies-${queue}`,
      TENANTS_DIR,
      RULES_DIR,
      LOG_LEVEL: 'warn',
      WHATSAPP_API_BASE_URL: simulatorUrl,
      SMS_API_BASE_URL: simulatorUrl,
      SMS_STATUS_CALLBACK_URL: `${ingestUrl}/webhooks/sms/status`,
      PUBLIC_BASE_URL: ingestUrl,
      WHATSAPP_VERIFY_TOKEN: 'console-test-verify-token',
      SUBSCRIBER_HASH_KEY,
      OIDC_ISSUER: idp.issuer,
    }
    const entries: Record<WorldService, { entry: string; env: Record<string, string>; ready: string }> = {
      simulator: {
        entry: 'services/provider-simulator/src/main.ts',
        env: { SIM_HOST: '127.0.0.1', SIM_PORT: String(ports.simulator), SIM_SENDERS: JSON.stringify({ whatsapp, twilio }) },
        ready: `${simulatorUrl}/_sim/health`,
      },
      ingest: { entry: 'services/ingest/src/main.ts', env: { PORT: String(ports.ingest) }, ready: `${ingestUrl}/readyz` },
      moderation: { entry: 'services/moderation/src/main.ts', env: { PORT: String(ports.moderation) }, ready: `${urlOf(ports.moderation)}/readyz` },
      subscriptions: { entry: 'services/subscriptions/src/main.ts', env: { PORT: String(ports.subscriptions) }, ready: `${urlOf(ports.subscriptions)}/readyz` },
      broadcast: { entry: 'services/broadcast/src/main.ts', env: { PORT: String(ports.broadcast) }, ready: `${urlOf(ports.broadcast)}/readyz` },
      worker: { entry: 'workflows/src/main.ts', env: { PORT: String(ports.worker) }, ready: `${urlOf(ports.worker)}/readyz` },
    }
    // Services migrate their schemas at start, safely in parallel; they start together.
    await Promise.all(
      ALL_SERVICES.filter((s) => wanted.has(s)).map(async (name) => {
        const { entry, env, ready } = entries[name]
        const child = spawnService(entry, { ...shared, ...env })
        processes[name] = child
        stops.push(async () => {
          if (child.child.exitCode === null) await child.signal('SIGTERM')
        })
        try {
          await waitForHttp(ready, 200, 120_000, () => child.child.exitCode === null)
        } catch (error) {
          throw new Error(`${name} did not start: ${String(error)}\n${child.output().slice(-3000)}`, { cause: error })
        }
        serviceUrls[name] = new URL(ready).origin
      }),
    )

    const pool = createDatabase<ConsoleDatabase>({ url: database.url, applicationName: 'console-test', max: 5 })
    stops.push(() => pool.destroy())
    await migrateToLatest(pool, CONSOLE_SCHEMA, consoleMigrations)
    const consoleDb = pool.withSchema(CONSOLE_SCHEMA)
    const config = loadConsoleConfig({
      PUBLIC_URL: consoleUrl,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: CONSOLE_CLIENT.clientId,
      OIDC_CLIENT_SECRET: CONSOLE_CLIENT.clientSecret,
      SESSION_SECRET,
      COOKIE_SECURE: 'false',
      BROADCAST_API_URL: serviceUrls.broadcast ?? urlOf(ports.broadcast),
      SUBSCRIPTIONS_API_URL: serviceUrls.subscriptions ?? urlOf(ports.subscriptions),
      LOG_LEVEL: 'info',
      ...(options.sessionIdleMinutes ? { SESSION_IDLE_MINUTES: String(options.sessionIdleMinutes) } : {}),
    })
    const app = await buildConsoleApp(config, { logger: logs.logger.child({ service: 'console' }), db: consoleDb, tenants, webDir })
    stops.push(() => app.close())
    await app.listen({ port: ports.console, host: '127.0.0.1' })

    return {
      url: consoleUrl,
      issuer: idp.issuer,
      idp,
      tenants,
      nats,
      database,
      consoleDb,
      console: app,
      serviceUrls,
      processes,
      logs,
      password: STAFF_PASSWORD,
      addSubscribers: (members) => seedSubscribers({ databaseUrl: database.url, tenants, hashKey: SUBSCRIBER_HASH_KEY }, members),
      signIn: (page, username, signInOptions) => signIn(page, consoleUrl, username, signInOptions),
      stop,
    }
  } catch (error) {
    await stop()
    throw error
  }
}
