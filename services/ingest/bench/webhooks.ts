/*
 * Webhook intake benchmark: posts signed provider webhooks at a fixed rate and then as fast as
 * ingest answers (closed loop, many connections), and prints accepted/s and latency percentiles.
 *
 *   pnpm --filter @banditore/ingest bench                       # in-process stack (below)
 *   pnpm --filter @banditore/ingest bench -- --rate 1000 --duration 10 --connections 64
 *   pnpm --filter @banditore/ingest bench -- --target http://127.0.0.1:3001   # a running ingest
 *
 * In-process stack: a private nats-server (scripts/infra.sh's binary, temporary store), a fresh
 * database on the local PostgreSQL (BENCH_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres),
 * and ingest's real entry (src/main.ts) as a child process with a benchmark tenant. After the
 * runs, the INBOUND stream is counted: every webhook answered 2xx must be in it.
 *
 * Against --target, the tenant must exist there: BENCH_PHONE_NUMBER_ID, BENCH_DISPLAY_NUMBER,
 * BENCH_WA_APP_SECRET, BENCH_SMS_NUMBER, BENCH_SMS_TOKEN describe it (defaults: the bench tenant).
 */
import { randomBytes } from 'node:crypto'
import { parseArgs } from 'node:util'
import autocannon from 'autocannon'
import { startBenchStack, type BenchStack } from './bench-stack.js'
import { createWebhookFactory, type WebhookFactory } from './webhook-factory.js'

const { values: args } = parseArgs({
  // `pnpm bench -- --rate 500` passes the `--` through, and parseArgs would stop reading there.
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  options: {
    target: { type: 'string' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    'fixed-connections': { type: 'string', default: '32' },
    warmup: { type: 'string', default: '3' },
    /** Webhooks prepared ahead for the ceiling run, per second of it. */
    'ceiling-estimate': { type: 'string', default: '9000' },
  },
})
const rate = Number(args.rate)
const duration = Number(args.duration)

/** Cumulative server-side request-duration buckets (le, seconds → count) from ingest's /metrics. */
async function serverBuckets(url: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${url}/metrics`)).text()
  const buckets = new Map<number, number>()
  for (const line of text.split('\n')) {
    const match = /^http_request_duration_seconds_bucket\{(.*)\} (\d+)/.exec(line)
    if (!match?.[1]?.includes('route="/webhooks/') || !match[1].includes('status="200"')) continue
    const le = /le="([^"]+)"/.exec(match[1])?.[1]
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le)
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[2]))
  }
  return buckets
}

/** The smallest bucket bound (ms) holding `quantile` of the requests between two scrapes. */
function bucketQuantile(before: Map<number, number>, after: Map<number, number>, quantile: number): string {
  const bounds = [...after.keys()].sort((a, b) => a - b)
  const total = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0)
  for (const bound of bounds) {
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= quantile * total) return bound === Number.POSITIVE_INFINITY ? '>2500' : `≤${bound * 1000}`
  }
  return '?'
}

interface RunResult {
  name: string
  /** Server-side time (ingest's own histogram, bucket bounds in ms): excludes the client's queueing. */
  serverP50?: string
  serverP99?: string
  /** CPU ms per 1,000 accepted webhooks, per process (in-process stack only). */
  cpuPerThousand?: { ingest: number; nats: number; postgres: number; loadGenerator: number }
  postgresTransactionsPerThousand?: number
  sent: number
  ok: number
  failed: number
  acceptedPerSecond: number
  p50: number
  p90: number
  p99: number
  max: number
}

async function run(
  name: string,
  url: string,
  factory: WebhookFactory,
  options: { connections: number; overallRate?: number; seconds: number },
  stack?: BenchStack,
): Promise<RunResult> {
  factory.prepare(Math.ceil((options.overallRate ?? Number(args['ceiling-estimate'])) * options.seconds * 1.1))
  const before = await stack?.snapshot()
  const bucketsBefore = await serverBuckets(url)
  const ownBefore = process.cpuUsage()
  const result = await autocannon({
    url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    // Each request is a distinct webhook (new message id), signed as the provider signs it.
    requests: [{ method: 'POST', setupRequest: (request) => ({ ...request, ...factory.next() }) }],
  })
  const ok = result['2xx']
  const own = process.cpuUsage(ownBefore)
  const after = await stack?.snapshot()
  const bucketsAfter = await serverBuckets(url)
  const perThousand = (ms: number) => Math.round((ms / Math.max(ok, 1)) * 1000)
  const resources =
    before && after
      ? {
          cpuPerThousand: {
            ingest: perThousand(after.ingestCpuMs - before.ingestCpuMs),
            nats: perThousand(after.natsCpuMs - before.natsCpuMs),
            postgres: perThousand(after.postgresCpuMs - before.postgresCpuMs),
            loadGenerator: perThousand((own.user + own.system) / 1000),
          },
          postgresTransactionsPerThousand: perThousand(after.postgresTransactions - before.postgresTransactions),
        }
      : {}
  return {
    ...resources,
    serverP50: bucketQuantile(bucketsBefore, bucketsAfter, 0.5),
    serverP99: bucketQuantile(bucketsBefore, bucketsAfter, 0.99),
    name,
    sent: result.requests.sent,
    ok,
    failed: result.non2xx + result.errors + result.timeouts,
    acceptedPerSecond: ok / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  }
}

function print(results: RunResult[]): void {
  const rows = results.map((r) => ({
    run: r.name,
    sent: r.sent,
    '2xx': r.ok,
    'non-2xx/errors': r.failed,
    'accepted/s': Math.round(r.acceptedPerSecond),
    'p50 ms': r.p50,
    'p90 ms': r.p90,
    'p99 ms': r.p99,
    'max ms': r.max,
    'server p50/p99 ms': `${r.serverP50} / ${r.serverP99}`,
  }))
  console.table(rows)
  const costs = results.filter((r) => r.cpuPerThousand)
  if (costs.length > 0) {
    console.log('CPU ms per 1,000 accepted webhooks, and PostgreSQL transactions per 1,000:')
    console.table(
      costs.map((r) => ({ run: r.name, ...r.cpuPerThousand, 'pg xacts': r.postgresTransactionsPerThousand })),
    )
  }
}

async function main(): Promise<void> {
  let stack: BenchStack | undefined
  try {
    stack = args.target ? undefined : await startBenchStack()
    const url = args.target ?? stack?.url ?? ''
    const factory = createWebhookFactory({
      runId: randomBytes(4).toString('hex'),
      baseUrl: url,
      phoneNumberId: process.env.BENCH_PHONE_NUMBER_ID ?? '399000000000001',
      displayNumber: process.env.BENCH_DISPLAY_NUMBER ?? '+393330007001',
      appSecret: process.env.BENCH_WA_APP_SECRET ?? 'bench-meta-app-secret',
      smsNumber: process.env.BENCH_SMS_NUMBER ?? '+393330007002',
      smsToken: process.env.BENCH_SMS_TOKEN ?? 'bench-sms-auth-token',
    })
    console.log(`ingest at ${url}; mix: 80% WhatsApp messages, 10% WhatsApp statuses, 10% SMS (all signed, all distinct)`)

    const results: RunResult[] = []
    const warmUp = await run('warm-up', url, factory, { connections: 16, overallRate: 500, seconds: Number(args.warmup) }, stack)
    results.push(await run(`fixed ${rate}/s`, url, factory, { connections: Number(args['fixed-connections']), overallRate: rate, seconds: duration }, stack))
    results.push(await run(`ceiling (${args.connections} connections, closed loop)`, url, factory, { connections: Number(args.connections), seconds: duration }, stack))
    print(results)

    if (stack) {
      // Durability: every webhook answered 2xx is in the stream (each carries distinct ids).
      const answered = [warmUp, ...results].reduce((sum, r) => sum + r.ok, 0)
      const stored = await stack.storedMessages()
      console.log(
        stored >= answered
          ? `durability check: OK, the INBOUND stream holds ${stored} messages for ${answered} webhooks answered 2xx (the difference: requests cut off by the end of a run after their ack).`
          : `durability check: FAILED, ${answered} webhooks answered 2xx but only ${stored} messages stored.`,
      )
      if (stored < answered) process.exitCode = 1
    }
  } finally {
    await stack?.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
