/**
 * `./banditore up`: the whole platform on this machine. Starts the infrastructure that does not
 * answer yet (scripts/infra.sh), then the provider simulator, every service and the worker, each
 * as its own process with its own log prefix; Ctrl-C stops all of it, and the infrastructure this
 * run started. The simulator stands in for WhatsApp and the SMS gateway, so no provider account
 * is needed; each tenant's secrets get local values unless the environment already sets them.
 */
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { loadTenantDirectory } from '@banditore/platform'
import concurrently from 'concurrently'
import { localSenders } from './local-senders.js'

const root = fileURLToPath(new URL('..', import.meta.url))
process.chdir(root)

const PORTS = { broadcast: 3000, ingest: 3001, moderation: 3002, subscriptions: 3003, worker: 3009, simulator: 3100 }
const ingestUrl = `http://127.0.0.1:${PORTS.ingest}`
const simulatorUrl = `http://127.0.0.1:${PORTS.simulator}`

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
  STAFF_TOKENS: process.env.STAFF_TOKENS ?? 'local-staff:*:local-staff-token-0123456789',
  SUBSCRIBER_HASH_KEY: process.env.SUBSCRIBER_HASH_KEY ?? 'local-subscriber-hash-key-not-for-production',
  PAPER_FORM_TOKENS: process.env.PAPER_FORM_TOKENS ?? 'urp-local:local-urp-token-0123456789',
  BOOTSTRAP_ADMIN_TOKEN: process.env.BOOTSTRAP_ADMIN_TOKEN ?? 'local-admin-token-0123456789abcdef0123',
}

const processes = [
  {
    name: 'simulator',
    entry: 'packages/providers/src/simulator/main.ts',
    env: { SIM_HOST: '127.0.0.1', SIM_PORT: String(PORTS.simulator), SIM_SENDERS: JSON.stringify({ whatsapp, twilio }) },
  },
  { name: 'ingest', entry: 'services/ingest/src/main.ts', env: { PORT: String(PORTS.ingest) } },
  { name: 'moderation', entry: 'services/moderation/src/main.ts', env: { PORT: String(PORTS.moderation) } },
  { name: 'subscriptions', entry: 'services/subscriptions/src/main.ts', env: { PORT: String(PORTS.subscriptions) } },
  { name: 'broadcast', entry: 'services/broadcast/src/main.ts', env: { PORT: String(PORTS.broadcast) } },
  { name: 'worker', entry: 'workflows/src/main.ts', env: { PORT: String(PORTS.worker) } },
].filter((p) => existsSync(p.entry))

const { result } = concurrently(
  processes.map((p) => ({
    name: p.name,
    command: `node --conditions=@banditore/source --import tsx ${p.entry}`,
    env: { ...shared, ...p.env },
  })),
  { prefix: 'name', prefixColors: ['cyan', 'green', 'magenta', 'yellow', 'blue', 'red'], killOthersOn: ['failure'], handleInput: false },
)

const answers = async (url: string) => (await fetch(url).then((r) => r.ok).catch(() => false)) as boolean
setTimeout(() => {
  void (async () => {
    const nats = (await answers('http://127.0.0.1:8222/healthz')) ? 'http://127.0.0.1:8222' : 'not enabled on the running nats-server'
    const lines = [
      '',
      'Banditore is running. Where to look:',
      `  staff API and its docs   http://127.0.0.1:${PORTS.broadcast}/docs`,
      `  Temporal Web UI          http://127.0.0.1:8233`,
      `  NATS monitoring          ${nats}`,
      `  provider simulator       ${simulatorUrl}/_sim/messages  (what citizens received)`,
      `  webhooks (ingest)        ${ingestUrl}/webhooks/whatsapp, ${ingestUrl}/webhooks/sms/messages`,
      `  health of each service   http://127.0.0.1:<port>/readyz  (${Object.entries(PORTS)
        .filter(([n]) => n !== 'simulator')
        .map(([n, p]) => `${n} ${p}`)
        .join(', ')}; simulator ${simulatorUrl}/_sim/health)`,
      `  tenants                  ${tenants.map((t) => t.id).join(', ')}`,
      'Ctrl-C stops everything.',
      '',
    ]
    process.stdout.write(lines.join('\n'))
  })()
}, 8000).unref()

let code = 0
try {
  await result
} catch {
  code = 1
} finally {
  execFileSync('bash', ['scripts/infra.sh', 'down'], { stdio: 'inherit' })
}
process.exit(code)
