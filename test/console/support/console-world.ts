import { fileURLToPath } from 'node:url'
import { buildApp as buildConsoleApp, loadConfig as loadConsoleConfig, migrations as consoleMigrations, SCHEMA as CONSOLE_SCHEMA, type ConsoleDatabase } from '@banditore/console'
import { startIdentityProvider, type RunningIdentityProvider } from '@banditore/identity-provider'
import { createDatabase, loadTenantDirectory, migrateToLatest, type TenantDirectory } from '@banditore/platform'
import type { Kysely } from 'kysely'
import { captureLogs, freePort, startWorld, type CapturedLogs, type ServiceProcess, type TestDatabase, type TestNatsServer, type World } from '../../harness/index.js'
import { signIn, STAFF_PASSWORD, type SignInOptions } from './sign-in.js'
import type { Page } from 'playwright-core'
import { seedSubscribers, type AudienceMember } from './subscribers.js'
import { ensureWebBundle } from './web-bundle.js'

const root = fileURLToPath(new URL('../../..', import.meta.url))
const TENANTS_DIR = `${root}tenants`

const CONSOLE_CLIENT = { clientId: 'banditore-console', clientSecret: 'console-test-client-secret-0123456789' }
export const SESSION_SECRET = 'console-test-session-secret-0123456789abcdef'
/** The world's SUBSCRIBER_HASH_KEY (seedSubscribers needs it). */
export const SUBSCRIBER_HASH_KEY = 'console-test-subscriber-hash-key-0123456789'

/** The platform's processes a world may start (the console and the identity provider always run). */
export type WorldService = 'simulator' | 'ingest' | 'moderation' | 'subscriptions' | 'broadcast' | 'worker'
const ALL_SERVICES: readonly WorldService[] = ['simulator', 'ingest', 'moderation', 'subscriptions', 'broadcast', 'worker']
const PLATFORM = ['ingest', 'moderation', 'subscriptions', 'broadcast', 'worker'] as const

export interface ConsoleWorldOptions {
  /** Default: all of them, as `./banditore up` runs them. */
  services?: readonly WorldService[]
  /** The console's idle timeout (minutes; fractions allowed). */
  sessionIdleMinutes?: number
  /** Variables for the platform's services, over the world's (`RULESET_SOURCE: 'kv'`, for instance). */
  env?: Record<string, string>
}

/**
 * The platform as staff meet it, for browser tests, all real: the test world (a private
 * nats-server, a fresh PostgreSQL database, the shared Temporal dev server on private task
 * queues, the provider simulator and each service as its own process, their real `main.ts` as
 * the local stack runs them), the OpenID provider with its seeded accounts (`<role>.<tenant>`, `admin`) in this
 * process, and the console serving the built SPA on a free port.
 */
export interface ConsoleWorld {
  /** The console's origin, e.g. http://127.0.0.1:41234. */
  url: string
  issuer: string
  /** The platform's part: services, simulator, NATS, database. */
  world: World
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

    const consolePort = await freePort()
    const consoleUrl = `http://127.0.0.1:${consolePort}`

    const idp = await startIdentityProvider({
      tenants: tenants.all(),
      password: STAFF_PASSWORD,
      clients: [{ ...CONSOLE_CLIENT, redirectUris: [`${consoleUrl}/auth/callback`], postLogoutRedirectUris: [`${consoleUrl}/`], name: 'Console di Banditore' }],
      logger: logs.logger.child({ service: 'identity-provider' }),
    })
    stops.push(() => idp.stop())

    // The services as the local stack starts them (scripts/stack.ts), on this world's ports and queues.
    const world = await startWorld({
      services: PLATFORM.filter((s) => wanted.has(s)),
      mode: 'process',
      tenantsDir: TENANTS_DIR,
      simulator: wanted.has('simulator') ? { mode: 'process' } : false,
      env: { SUBSCRIBER_HASH_KEY, OIDC_ISSUER: idp.issuer, ...options.env },
    })
    stops.push(() => world.stop())
    const { nats, database } = world
    const serviceUrls: Partial<Record<WorldService, string>> = { ...world.urls }
    const processes: Partial<Record<WorldService, ServiceProcess>> = {
      ...(world.simulator?.process ? { simulator: world.simulator.process } : {}),
      ...Object.fromEntries(PLATFORM.flatMap((s) => (world.services[s]?.process ? [[s, world.services[s].process]] : []))),
    }

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
      BROADCAST_API_URL: serviceUrls.broadcast ?? `http://127.0.0.1:${await freePort()}`,
      SUBSCRIPTIONS_API_URL: serviceUrls.subscriptions ?? `http://127.0.0.1:${await freePort()}`,
      MODERATION_API_URL: serviceUrls.moderation ?? `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'info',
      ...(options.sessionIdleMinutes ? { SESSION_IDLE_MINUTES: String(options.sessionIdleMinutes) } : {}),
    })
    const app = await buildConsoleApp(config, { logger: logs.logger.child({ service: 'console' }), db: consoleDb, tenants, webDir })
    stops.push(() => app.close())
    await app.listen({ port: consolePort, host: '127.0.0.1' })

    return {
      url: consoleUrl,
      issuer: idp.issuer,
      world,
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
