/**
 * `./banditore up`: the whole platform on this machine. Starts the infrastructure that does not
 * answer yet (scripts/infra.sh), then the provider simulator, every service and the worker, each
 * as its own process with its own log prefix; Ctrl-C stops all of it, and the infrastructure this
 * run started. The simulator stands in for WhatsApp and the SMS gateway, so no provider account
 * is needed; each tenant's secrets get local values unless the environment already sets them.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { StaffRoles } from '@banditore/contracts'
import { loadTenantDirectory } from '@banditore/platform'
import concurrently from 'concurrently'
import { localSenders } from './local-senders.js'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)

const PORTS = { broadcast: 3000, ingest: 3001, moderation: 3002, subscriptions: 3003, worker: 3009, simulator: 3100, 'identity-provider': 3200, console: 3300 }
const ingestUrl = `http://127.0.0.1:${PORTS.ingest}`
const simulatorUrl = `http://127.0.0.1:${PORTS.simulator}`
// Staff sign in at the local OpenID provider (seeded accounts); the console is their web app.
const issuer = process.env.OIDC_ISSUER ?? `http://127.0.0.1:${PORTS['identity-provider']}`
const consoleUrl = `http://127.0.0.1:${PORTS.console}`
const staffPassword = process.env.IDP_PASSWORD ?? 'banditore-locale'
const consoleClient = {
  id: process.env.IDP_CONSOLE_CLIENT_ID ?? 'banditore-console',
  secret: process.env.IDP_CONSOLE_CLIENT_SECRET ?? 'banditore-console-secret-locale',
}

execFileSync('bash', ['scripts/infra.sh', 'up'], { stdio: 'inherit' })

const tenants = (await loadTenantDirectory('tenants')).all()
const { secrets, whatsapp, twilio } = localSenders(tenants, ingestUrl, process.env)

const shared = {
  ...secrets,
  NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
  DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/banditore',
  TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  TENANTS_DIR: 'tenants',
  RULES_DIR: 'rules',
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  WHATSAPP_API_BASE_URL: simulatorUrl,
  SMS_API_BASE_URL: simulatorUrl,
  SMS_STATUS_CALLBACK_URL: `${ingestUrl}/webhooks/sms/status`,
  PUBLIC_BASE_URL: ingestUrl,
  WHATSAPP_VERIFY_TOKEN: process.env.WHATSAPP_VERIFY_TOKEN ?? 'local-verify-token',
  SUBSCRIBER_HASH_KEY: process.env.SUBSCRIBER_HASH_KEY ?? 'local-subscriber-hash-key-not-for-production',
  PAPER_FORM_TOKENS: process.env.PAPER_FORM_TOKENS ?? 'urp-local:local-urp-token-0123456789',
  BOOTSTRAP_ADMIN_TOKEN: process.env.BOOTSTRAP_ADMIN_TOKEN ?? 'local-admin-token-0123456789abcdef0123',
}

/** The console's web bundle, built when missing or older than its sources (a few seconds with vite). */
function buildConsoleWebIfStale(): void {
  const sources = ['services/console/web', 'services/console/vite.config.ts'].filter((p) => existsSync(p))
  const built = 'services/console/dist/web/index.html'
  if (sources.length === 0) return
  const newest = (path: string): number => {
    const stat = statSync(path)
    if (!stat.isDirectory()) return stat.mtimeMs
    return Math.max(stat.mtimeMs, ...readdirSync(path).filter((n) => n !== 'node_modules').map((n) => newest(join(path, n))))
  }
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) return
  process.stdout.write('building the console web app (services/console/web)...\n')
  try {
    execFileSync('pnpm', ['--filter', '@banditore/console', 'build:web'], { stdio: 'inherit' })
  } catch {
    process.stdout.write('console web app build failed: the console answers 503 until `pnpm --filter @banditore/console build:web` succeeds\n')
  }
}
buildConsoleWebIfStale()

const processes = [
  {
    name: 'identity-provider',
    entry: 'services/identity-provider/src/main.ts',
    env: {
      IDP_PORT: String(PORTS['identity-provider']),
      IDP_ISSUER: issuer,
      IDP_PASSWORD: staffPassword,
      IDP_CONSOLE_CLIENT_ID: consoleClient.id,
      IDP_CONSOLE_CLIENT_SECRET: consoleClient.secret,
      IDP_CONSOLE_REDIRECT_URIS: `${consoleUrl}/auth/callback`,
      IDP_CONSOLE_POST_LOGOUT_REDIRECT_URIS: `${consoleUrl}/`,
    },
  },
  {
    name: 'simulator',
    entry: 'services/provider-simulator/src/main.ts',
    env: { SIM_HOST: '127.0.0.1', SIM_PORT: String(PORTS.simulator), SIM_SENDERS: JSON.stringify({ whatsapp, twilio }) },
  },
  { name: 'ingest', entry: 'services/ingest/src/main.ts', env: { PORT: String(PORTS.ingest) } },
  { name: 'moderation', entry: 'services/moderation/src/main.ts', env: { PORT: String(PORTS.moderation), OIDC_ISSUER: issuer, RULESET_SOURCE: 'kv' } },
  { name: 'subscriptions', entry: 'services/subscriptions/src/main.ts', env: { PORT: String(PORTS.subscriptions), OIDC_ISSUER: issuer } },
  { name: 'broadcast', entry: 'services/broadcast/src/main.ts', env: { PORT: String(PORTS.broadcast), OIDC_ISSUER: issuer } },
  { name: 'worker', entry: 'workflows/src/main.ts', env: { PORT: String(PORTS.worker) } },
  {
    name: 'console',
    entry: 'services/console/src/main.ts',
    env: {
      PORT: String(PORTS.console),
      PUBLIC_URL: consoleUrl,
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: consoleClient.id,
      OIDC_CLIENT_SECRET: consoleClient.secret,
      SESSION_SECRET: process.env.SESSION_SECRET ?? 'local-console-session-secret-not-for-production',
      // http on 127.0.0.1 only: browsers would not send a Secure cookie there otherwise.
      COOKIE_SECURE: 'false',
      BROADCAST_API_URL: `http://127.0.0.1:${PORTS.broadcast}`,
      SUBSCRIPTIONS_API_URL: `http://127.0.0.1:${PORTS.subscriptions}`,
      MODERATION_API_URL: `http://127.0.0.1:${PORTS.moderation}`,
    },
  },
].filter((p) => existsSync(p.entry))

const { result } = concurrently(
  processes.map((p) => ({
    name: p.name,
    command: `node --conditions=@banditore/source --import tsx ${p.entry}`,
    env: { ...shared, ...p.env },
  })),
  {
    prefix: 'name',
    prefixColors: ['white', 'cyan', 'green', 'magenta', 'yellow', 'blue', 'red', 'gray'],
    handleInput: false,
    // A process that crashes is restarted (after 1, 2, 4 ... 256 s) and logged; nothing else is
    // taken down with it.
    restartTries: 9,
    restartDelay: 'exponential',
  },
)

const answers = async (url: string) => (await fetch(url).then((r) => r.ok).catch(() => false)) as boolean
void (async () => {
    // The banner only when every process answers ready.
    const readiness = Object.entries(PORTS).map(([name, port]) =>
      name === 'simulator' ? `${simulatorUrl}/_sim/health` : name === 'identity-provider' ? `${issuer}/.well-known/openid-configuration` : `http://127.0.0.1:${port}/readyz`,
    )
    for (;;) {
      const ready = await Promise.all(readiness.map(answers))
      if (ready.every(Boolean)) break
      await new Promise((resolve) => setTimeout(resolve, 500).unref())
    }
    const nats = (await answers('http://127.0.0.1:8222/healthz')) ? 'http://127.0.0.1:8222' : 'not enabled on the running nats-server'
    const tenantIds = tenants.map((t) => t.id)
    const lines = [
      '',
      'Banditore is running. Where to look:',
      `  staff console            ${consoleUrl}  (sign in at ${issuer})`,
      `  staff accounts           password ${staffPassword} for every account; username <role>.<tenant>, or admin (every tenant)`,
      `                           roles   ${StaffRoles.join(', ')}`,
      `                           tenants ${tenantIds.join(', ')}`,
      `                           e.g. operator.${tenantIds[0] ?? 'corbetta'}, approver.${tenantIds[0] ?? 'corbetta'}, civil-protection.${tenantIds[0] ?? 'corbetta'}`,
      `  staff API and its docs   http://127.0.0.1:${PORTS.broadcast}/docs`,
      `  Temporal Web UI          http://127.0.0.1:8233`,
      `  NATS monitoring          ${nats}`,
      `  provider simulator       ${simulatorUrl}/_sim/messages  (what citizens received)`,
      `  webhooks (ingest)        ${ingestUrl}/webhooks/whatsapp, ${ingestUrl}/webhooks/sms/messages`,
      `  health of each service   http://127.0.0.1:<port>/readyz  (${Object.entries(PORTS)
        .filter(([n]) => n !== 'simulator' && n !== 'identity-provider')
        .map(([n, p]) => `${n} ${p}`)
        .join(', ')}; simulator ${simulatorUrl}/_sim/health)`,
      `  tenants                  ${tenants.map((t) => t.id).join(', ')}`,
      'Ctrl-C stops everything.',
      '',
    ]
    process.stdout.write(lines.join('\n'))
  })()

let code = 0
try {
  await result
} catch {
  code = 1
} finally {
  execFileSync('bash', ['scripts/infra.sh', 'down'], { stdio: 'inherit' })
}
process.exit(code)
