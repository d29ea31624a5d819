// Emergency latency against the provider simulator: from the staff API call that triggers an
// alert to the first alert message the simulator accepts, while a 100,000-recipient routine
// broadcast runs on the same WhatsApp number at its 1,000/s cap. Every alert goes to every
// subscriber (the same 100,000); once its first message is accepted the run is terminated, so
// the next sample does not queue behind the previous alert's 100,000 sends.
//
//   pnpm --filter @banditore/broadcast bench:emergency
//   BENCH_SAMPLES=30 BENCH_RECIPIENTS=100000 pnpm --filter @banditore/broadcast bench:emergency
//
// Needs PostgreSQL (BENCH_POSTGRES_URL, default the local server) and the nats-server and
// temporal binaries of scripts/infra.sh. Prints one line per sample and a JSON summary.
import { randomUUID } from 'node:crypto'
import { BroadcastWorkflow, EmergencyWorkflow, TaskQueues, type BroadcastRunInput } from '@banditore/contracts'
import { createDatabase, parseTenant, TenantDirectory } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient, senderKeys } from '@banditore/providers'
import {
  bundleWorkflows,
  createProviderDispatcher,
  createLeasedRateLimiter,
  createProviderReplySender,
  createWorker,
  startWorkerProgressResponder,
  senderCapsOf,
  type WorkerDatabase,
} from '@banditore/workflows'
import { NativeConnection } from '@temporalio/worker'
import { BORGO, borgoTenantDocument, SECRETS } from '../../../test/broadcast/support/broadcast-tenant.js'
import { startSimulatorProcess } from '../../../test/broadcast/support/simulator-process.js'
import { buildApp } from '../src/app.js'
import { hashToken } from '../src/auth/staff-auth.js'
import type { BroadcastDatabase } from '../src/broadcast-database.js'
import { createBroadcastWorkflows } from '../src/broadcast-workflow.client.js'
import { loadConfig } from '../src/config.js'
import { createEmergencyWorkflows } from '../src/emergency/emergency-workflow.client.js'
import { createOutboundChecker } from '../src/outbound-check.client.js'
import { createRecurringSchedules } from '../src/recurring/recurring-schedule.client.js'
import { upsertBootstrapToken } from '../src/repositories/api-token.repository.js'
import { startBenchInfra } from './bench-infra.js'

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000)
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 20)
const CAP = 1000
const ADMIN = 'bench-admin-token-0123456789abcdef0123'
const out = (line: string) => process.stdout.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const infra = await startBenchInfra({ recipients: RECIPIENTS, cap: CAP })
const { logger, nc, address, client } = infra
const db = createDatabase<WorkerDatabase>({ url: infra.databaseUrl, applicationName: 'bench-worker', max: 16 })
const apiDb = createDatabase<BroadcastDatabase>({ url: infra.databaseUrl, applicationName: 'bench-api', max: 4 })

// The tenant: one WhatsApp number at 1,000/s; the alert template; no escalation chain (this
// measures the citizens' first message), the SMS fallback far beyond the run.
const tenants = new TenantDirectory([
  parseTenant(
    'borgo.json',
    borgoTenantDocument({
      whatsappMps: CAP,
      emergency: { smsFallbackAfterSeconds: 3600, whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } } },
    }),
  ),
])
const sim = await startSimulatorProcess({
  whatsapp: [{ phoneNumberId: BORGO.phoneNumberId, displayPhoneNumber: BORGO.whatsappNumber, accessToken: SECRETS.BORGO_WA_TOKEN as string, throughputPerSecond: CAP }],
  twilio: [{ accountSid: SECRETS.BORGO_SMS_SID as string, authToken: SECRETS.BORGO_SMS_TOKEN as string, numbers: [{ number: BORGO.smsNumber, throughputPerSecond: 10 }] }],
  priority: -10,
})

// The worker, as workflows/src/main.ts wires it: one rate limiter, a broadcast and an emergency queue.
const broadcastQueue = `${TaskQueues.broadcast}-bench`
const emergencyQueue = `${TaskQueues.emergency}-bench`
const transport = createProviderDispatcher()
await transport.ready()
const whatsapp = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: transport })
const sms = createTwilioSmsClient({ baseUrl: sim.url, fetch: transport })
const caps = senderCapsOf(tenants)
const rateLimiter = createLeasedRateLimiter({ db, capOf: (key) => caps.get(key) ?? 80, logger })
const secret = (key: string) => SECRETS[key] ?? ''
const deps = {
  logger,
  sender: createProviderReplySender({ tenants, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl: 'http://127.0.0.1:9/sms' }),
  broadcast: { db, nc, tenants, logger, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl: 'http://127.0.0.1:9/sms' },
}
const bundle = await bundleWorkflows()
const workerConnection = await NativeConnection.connect({ address })
const workers = await Promise.all(
  [broadcastQueue, emergencyQueue].map((taskQueue) => createWorker({ connection: workerConnection, namespace: 'default', taskQueue, bundle, logger, deps })),
)
const running = workers.map((w) => w.run())
// The worker answers the staff API about its runs (the alert's view and timeline).
const responder = startWorkerProgressResponder({ nc, db, logger })

// The staff API, in this process.
const config = loadConfig({ BOOTSTRAP_ADMIN_TOKEN: ADMIN, TEMPORAL_TASK_QUEUE_BROADCAST: broadcastQueue, TEMPORAL_TASK_QUEUE_EMERGENCY: emergencyQueue })
await upsertBootstrapToken(apiDb, hashToken(ADMIN))
const api = await buildApp(config, {
  logger,
  nc,
  db: apiDb,
  tenants,
  workflows: createBroadcastWorkflows({ client, taskQueue: broadcastQueue }),
  emergencies: createEmergencyWorkflows({ client, taskQueue: emergencyQueue }),
  schedules: createRecurringSchedules({ client, taskQueue: broadcastQueue }),
  checker: createOutboundChecker({ nc, logger, timeoutMs: 1000 }),
  temporalReady: async () => undefined,
})
const created = await api.inject({
  method: 'POST',
  url: '/v1/tokens',
  headers: { authorization: `Bearer ${ADMIN}` },
  payload: { tenant: BORGO.id, role: 'civil-protection', holder: 'bench@borgo.example', label: 'bench' },
})
const officer = created.json().token as string

let cleaned = false
async function cleanup() {
  if (cleaned) return
  cleaned = true
  for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown()
  await Promise.allSettled(running)
  await workerConnection.close()
  await api.close()
  await responder.stop()
  await transport.close()
  await sim.stop()
  await db.destroy()
  await apiDb.destroy()
  await infra.stop()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(1)))

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN

try {
  // The routine broadcast: 100,000 recipients at the sender's cap.
  const broadcastId = randomUUID()
  const routine: BroadcastRunInput = {
    version: 1,
    broadcastId,
    tenant: BORGO.id,
    topics: ['avvisi'],
    defaultLanguage: 'it',
    content: { whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Prova di carico'] } } } },
  }
  await client.workflow.start(BroadcastWorkflow.type, { workflowId: BroadcastWorkflow.workflowId(BORGO.id, broadcastId), taskQueue: broadcastQueue, args: [routine] })
  const routineSent = async () => (await sim.stats({ correlationPrefix: `bc:${broadcastId}:` })).record.total
  while ((await routineSent()) < 3 * CAP) await sleep(200)
  out(`routine broadcast of ${RECIPIENTS} sending (${await routineSent()} accepted); triggering ${SAMPLES} alerts`)

  const latencies: number[] = []
  const alertIds: string[] = []
  for (let i = 0; i < SAMPLES; i++) {
    const triggeredAt = Date.now()
    const response = await api.inject({
      method: 'POST',
      url: '/v1/emergencies',
      headers: { authorization: `Bearer ${officer}` },
      payload: {
        severity: 'Extreme',
        urgency: 'Immediate',
        headline: { it: `Prova di allerta ${i + 1}` },
        description: { it: 'Esercitazione: misura del tempo di invio.' },
        trigger: { reason: 'misura della latenza' },
      },
    })
    if (response.statusCode !== 201) throw new Error(`trigger refused: ${response.body}`)
    const alertId = response.json().id as string
    alertIds.push(alertId)
    let first: number | undefined
    while (first === undefined) {
      const [message] = await sim.messages({ correlationPrefix: `bc:${alertId}:`, limit: '1' })
      if (message) first = message.acceptedAt
      else if (Date.now() - triggeredAt > 60_000) throw new Error(`alert ${i + 1}: no message within 60 s`)
      else await sleep(5)
    }
    const latency = Math.round(first - triggeredAt)
    latencies.push(latency)
    out(`  alert ${i + 1}: first message accepted ${latency} ms after the trigger (routine accepted so far: ${await routineSent()})`)
    await client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, alertId)).terminate('latency sample taken')
    // The next sample starts once this alert's sends already under way have stopped.
    const alertSent = async () => (await sim.stats({ correlationPrefix: `bc:${alertId}:` })).record.total
    for (let last = -1, now = await alertSent(); now !== last; last = now, now = await alertSent()) await sleep(1000)
  }
  const routineAtEnd = await routineSent()
  const perAlert = await Promise.all(alertIds.map(async (id) => (await sim.stats({ correlationPrefix: `bc:${id}:` })).record.total))
  const maxInAnySecond = (await sim.maxInWindow(1000))[BORGO.phoneNumberId] ?? 0
  const writtenMaxInAnySecond = (await transport.writtenPerSecond())[senderKeys.whatsapp(BORGO.phoneNumberId)] ?? 0
  const stats = await sim.stats()
  const sorted = [...latencies].sort((a, b) => a - b)
  const summary = {
    machine: { cpus: (await import('node:os')).cpus().length },
    recipients: RECIPIENTS,
    samples: SAMPLES,
    latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), min: sorted[0], max: sorted.at(-1) },
    routineAcceptedDuringRun: routineAtEnd,
    /** Messages each (terminated) alert sent before its run stopped. */
    alertMessages: perAlert,
    maxInAnySecond,
    /** The same, as our dispatch thread wrote them (the simulator's count adds its own jitter). */
    writtenMaxInAnySecond,
    throttled: stats.rejections.throttled ?? 0,
  }
  out(`emergency trigger → first message: p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms (${SAMPLES} alerts during a ${RECIPIENTS}-recipient broadcast at ${CAP}/s; max ${maxInAnySecond} in any second (${writtenMaxInAnySecond} as written), ${summary.throttled} throttled)`)
  out(JSON.stringify(summary, null, 2))
} finally {
  await cleanup()
}
