// Broadcast throughput against the provider simulator: 100,000 recipients through the whole send
// pipeline (Temporal workflow, audience pages over NATS, send ledger and shared rate limit in
// PostgreSQL, provider adapters over HTTP to the simulator in its own process).
//
//   pnpm --filter @banditore/broadcast bench            (both runs)
//   BENCH_RUNS=uncapped BENCH_RECIPIENTS=20000 pnpm --filter @banditore/broadcast bench
//
// Needs PostgreSQL (BENCH_POSTGRES_URL, default the local server) and the nats-server and
// temporal binaries of scripts/infra.sh. Prints one line per run and a JSON summary.
import { randomUUID } from 'node:crypto'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { BroadcastWorkflow, TaskQueues, type BroadcastRunInput, type BroadcastRunProgress } from '@banditore/contracts'
import { createDatabase, parseTenant, TenantDirectory } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient, senderKeys } from '@banditore/providers'
import {
  bundleWorkflows,
  createKeepAliveFetch,
  createProviderDispatcher,
  createLeasedRateLimiter,
  createProviderReplySender,
  createWorker,
  type WorkerDatabase,
} from '@banditore/workflows'
import { NativeConnection } from '@temporalio/worker'
import { BORGO, borgoTenantDocument, SECRETS } from '../../../test/broadcast/support/broadcast-tenant.js'
import { startSimulatorProcess } from '../../../test/broadcast/support/simulator-process.js'
import { startBenchInfra } from './bench-infra.js'

const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 100_000)
// The capped run goes first, in a fresh process: the uncapped run leaves a heap whose GC pauses
// make the capped run's slots late.
const RUNS = (process.env.BENCH_RUNS ?? 'capped,uncapped').split(',')
const CAP = 1000
const out = (line: string) => process.stdout.write(`${line}\n`)

const infra = await startBenchInfra({ recipients: RECIPIENTS, cap: CAP })
const { logger, nc, address, client } = infra
const db = createDatabase<WorkerDatabase>({ url: infra.databaseUrl, applicationName: 'bench-worker', max: 16 })
const bundle = await bundleWorkflows()
const tenants = new TenantDirectory([parseTenant('borgo.json', borgoTenantDocument({ whatsappMps: CAP }))])

interface RunResult {
  run: string
  recipients: number
  seconds: number
  perSecond: number
  capPerSecond: number | null
  overCap: number | null
  maxInAnySecond: number
  throttled: number
  duplicates: number
  /** The limiter's slots: leased, used, lost late or unused, and PostgreSQL round trips. */
  slots: ReturnType<ReturnType<typeof createLeasedRateLimiter>['stats']>
  /** The worker's event-loop delay (slots are written from the dispatch thread, not from it). */
  eventLoopLagMs: { p50: number; p99: number; max: number }
  /** Requests the dispatch thread wrote, and slots it reached too late (not written, retried). */
  dispatch: { requests: number; missed: number; writtenMaxInAnySecond: number }
}

async function warmUp(baseUrl: string) {
  const client = createWhatsAppCloudClient({ baseUrl, fetch: createKeepAliveFetch() })
  let next = 0
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      for (let i = next++; i < 5000; i = next++) {
        await client.sendTemplate({
          sender: { phoneNumberId: 'warmup', accessToken: 'warmup' },
          to: `+39348${String(i).padStart(7, '0')}`,
          correlation: `warmup:${i}`,
          template: { name: 'warmup', languageCode: 'it' },
        })
      }
    }),
  )
}

/** One broadcast of every recipient, timed by the simulator's own accept times. */
async function run(name: string, providerCap: number, limiterCap: number): Promise<RunResult> {
  const sim = await startSimulatorProcess({
    whatsapp: [
      {
        phoneNumberId: BORGO.phoneNumberId,
        displayPhoneNumber: BORGO.whatsappNumber,
        accessToken: SECRETS.BORGO_WA_TOKEN as string,
        throughputPerSecond: providerCap,
      },
      { phoneNumberId: 'warmup', displayPhoneNumber: '+393330009999', accessToken: 'warmup', throughputPerSecond: 1e7 },
    ],
    priority: -10,
  })
  // A provider is a warm, remote service: warm the simulator's JIT first, or its slow start
  // bunches the first second's requests and it throttles what we sent evenly.
  await warmUp(sim.url)
  await sim.reset()
  const taskQueue = `${TaskQueues.broadcast}-bench-${name}`
  const transport = createProviderDispatcher()
  await transport.ready()
  const whatsapp = createWhatsAppCloudClient({ baseUrl: sim.url, fetch: transport })
  const sms = createTwilioSmsClient({ baseUrl: sim.url, fetch: transport })
  const rateLimiter = createLeasedRateLimiter({ db, capOf: () => limiterCap, logger })
  const secret = (key: string) => SECRETS[key] ?? ''
  const connection = await NativeConnection.connect({ address })
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue,
    bundle,
    logger,
    deps: {
      logger,
      sender: createProviderReplySender({ tenants, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl: 'http://127.0.0.1:9/sms' }),
      broadcast: { db, nc, tenants, logger, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl: 'http://127.0.0.1:9/sms' },
    },
  })
  const running = worker.run()
  const lag = monitorEventLoopDelay({ resolution: 1 })
  lag.enable()
  const broadcastId = randomUUID()
  const input: BroadcastRunInput = {
    version: 1,
    broadcastId,
    tenant: BORGO.id,
    topics: ['avvisi'],
    defaultLanguage: 'it',
    content: { whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Prova di carico'] } } } },
  }
  const handle = await client.workflow.start(BroadcastWorkflow.type, {
    workflowId: BroadcastWorkflow.workflowId(BORGO.id, broadcastId),
    taskQueue,
    args: [input],
  })
  const key = senderKeys.whatsapp(BORGO.phoneNumberId)
  let lastUsed = 0
  const sampler = process.env.BENCH_SAMPLE
    ? setInterval(() => {
        const st = rateLimiter.stats()
        out(`    waiting=${rateLimiter.waiting(key)} used/s=${st.used - lastUsed} forfeited=${st.forfeited} leases=${st.leases}`)
        lastUsed = st.used
      }, 1000)
    : undefined
  const progress = setInterval(() => {
    void handle
      .query<BroadcastRunProgress>(BroadcastWorkflow.queries.progress)
      .then((p) => out(`  ${name}: ${p.counts.accepted} accepted, ${p.counts.deferred} deferred, generation ${p.generation}`))
      .catch(() => undefined)
  }, 10_000)
  const final = (await handle.result()) as BroadcastRunProgress
  clearInterval(progress)
  clearInterval(sampler)
  lag.disable()
  const slots = rateLimiter.stats()
  const eventLoopLagMs = { p50: lag.percentile(50) / 1e6, p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 }
  worker.shutdown()
  await running
  await connection.close()
  const dispatch = { ...transport.stats(), writtenMaxInAnySecond: (await transport.writtenPerSecond())[key] ?? 0 }
  await transport.close()

  const stats = await sim.stats()
  const total = stats.record.total
  const first = (await sim.messages({ offset: '0', limit: '1' }))[0]
  const last = (await sim.messages({ offset: String(total - 1), limit: '1' }))[0]
  const seconds = ((last?.acceptedAt ?? 0) - (first?.acceptedAt ?? 0)) / 1000
  const maxInAnySecond = (await sim.maxInWindow(1000))[BORGO.phoneNumberId] ?? 0
  if (process.env.BENCH_SAMPLE) {
    const times = (await sim.messages()).map((m) => m.acceptedAt - (first?.acceptedAt ?? 0))
    const buckets = new Map<number, number>()
    for (const t of times) buckets.set(Math.floor(t / 100), (buckets.get(Math.floor(t / 100)) ?? 0) + 1)
    out(`    per 100 ms, first 3 s: ${[...Array(30).keys()].map((b) => buckets.get(b) ?? 0).join(' ')}`)
    const sorted = [...times].sort((a, b) => a - b)
    let worst = { count: 0, at: 0 }
    for (let i = 0, j = 0; i < sorted.length; i++) {
      while ((sorted[i] as number) - (sorted[j] as number) >= 1000) j++
      if (i - j + 1 > worst.count) worst = { count: i - j + 1, at: sorted[j] as number }
    }
    out(`    busiest second starts at ${Math.round(worst.at)} ms: ${worst.count}`)
  }
  await sim.stop()
  if (final.counts.accepted !== RECIPIENTS || total !== RECIPIENTS) throw new Error(`${name}: ${final.counts.accepted} accepted, ${total} recorded of ${RECIPIENTS}`)
  const perSecond = RECIPIENTS / seconds
  const capped = providerCap < 1e6
  return {
    run: name,
    recipients: RECIPIENTS,
    seconds: Number(seconds.toFixed(2)),
    perSecond: Math.round(perSecond),
    capPerSecond: capped ? providerCap : null,
    overCap: capped ? Number((perSecond / providerCap).toFixed(4)) : null,
    maxInAnySecond,
    throttled: stats.rejections.throttled ?? 0,
    duplicates: stats.record.duplicateMessages,
    slots,
    eventLoopLagMs,
    dispatch,
  }
}

let cleaned = false
async function cleanup() {
  if (cleaned) return
  cleaned = true
  await db.destroy()
  await infra.stop()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanup().finally(() => process.exit(1)))

const results: RunResult[] = []
try {
  for (const name of RUNS) {
    // Uncapped: the provider and the limiter allow far more than the pipeline can do.
    const result = name === 'capped' ? await run('capped', CAP, CAP) : await run('uncapped', 1e7, 1e6)
    results.push(result)
    out(
      `${result.run}: ${result.recipients} recipients in ${result.seconds} s = ${result.perSecond}/s` +
        (result.overCap !== null ? `, ${result.overCap} of the ${result.capPerSecond}/s cap` : '') +
        `, max ${result.maxInAnySecond} in any second (${result.dispatch.writtenMaxInAnySecond} as written), ${result.throttled} throttled, ${result.duplicates} duplicates`,
    )
  }
  out(JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length }, results }, null, 2))
} finally {
  await cleanup()
}
