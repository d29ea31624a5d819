// Replies in a sign-up rush, through the whole real path: N citizens a second write the tenant's
// keyword to its WhatsApp number; the provider simulator posts each as a signed webhook to
// ingest → moderation → subscriptions, which answers with the welcome and the privacy notice →
// the worker's reply sender → the simulator, on one number capped at BENCH_CAP msg/s (80).
// Prints the first reply's latency (webhook injected → first reply accepted by the simulator)
// p50/p99/max, order violations, duplicates, citizens missed, the busiest second against the
// cap, the load average, and a bare baseline measured in the same run: the simulator's own
// ceiling and answer time with a trivial client, so figures compare across machines.
//
//   pnpm --filter @banditore/workflows bench
//   BENCH_RATE=30 BENCH_SECONDS=60 pnpm --filter @banditore/workflows bench
//
// Every deployable runs as its own process (`startWorld`, mode `process`), as in production,
// on a fresh database of the local PostgreSQL (BENCH_POSTGRES_URL), a private nats-server and a
// Temporal dev server of its own (BENCH_TEMPORAL_ADDRESS to use another); the simulator runs at
// a higher priority, as a remote provider's clock does not stall when our machine is busy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTemporalServer } from '../../test/harness/temporal-server.js'
import { waitUntil } from '../../test/harness/wait.js'
import { startWorld } from '../../test/harness/world.js'

const RATE = Number(process.env.BENCH_RATE ?? 30)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 60)
const CAP = Number(process.env.BENCH_CAP ?? 80)
const TENANT = 'ancona'
const BASELINE = { phoneNumberId: 'bench-baseline', displayPhoneNumber: '+393330009999', accessToken: 'bench-baseline-token' }
/** What the simulator's /_sim/messages answers, the fields read here. */
interface RecordedMessage {
  seq: number
  to: string
  text?: string
  acceptedAt: number
}
const out = (line: string) => process.stdout.write(`${line}\n`)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const clock = () => performance.timeOrigin + performance.now()
const load = () => loadavg().map((l) => Math.round(l * 10) / 10)

function percentiles(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN)
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? Number.NaN) }
}

// The repository's Ancona, its number at the cap measured here.
const repositoryTenants = new URL('../../tenants/', import.meta.url)
const document = JSON.parse(readFileSync(new URL(`${TENANT}.json`, repositoryTenants), 'utf8')) as {
  $schema?: string
  channels: { whatsapp: { phoneNumberId: string; number: string; messagesPerSecond: number } }
  texts: { it: { welcome: string } }
}
delete document.$schema
document.channels.whatsapp.messagesPerSecond = CAP
const tenantsDir = mkdtempSync(join(tmpdir(), 'banditore-replies-bench-'))
writeFileSync(join(tenantsDir, `${TENANT}.json`), JSON.stringify(document))
const { phoneNumberId, number: businessNumber } = document.channels.whatsapp
const welcome = document.texts.it.welcome.split('{')[0]!.trim()
const keyword = 'ISCRIVIMI'

const temporal = process.env.BENCH_TEMPORAL_ADDRESS ? undefined : await startTemporalServer()
out(`starting ingest, moderation, subscriptions and worker as processes (load average ${load().join(' ')})`)
const world = await startWorld({
  services: ['ingest', 'moderation', 'subscriptions', 'worker'],
  mode: 'process',
  tenantsDir,
  postgresUrl: process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  temporalAddress: process.env.BENCH_TEMPORAL_ADDRESS ?? temporal!.address,
  logLevel: 'warn',
  // Another ruleset than the repository's (BENCH_RULES_DIR), e.g. while it is being edited.
  env: process.env.BENCH_RULES_DIR ? { RULES_DIR: process.env.BENCH_RULES_DIR } : {},
  simulator: {
    mode: 'process',
    priority: -5,
    // The baseline's own number, without a cap worth the name and without webhooks.
    adjustSenders: ({ whatsapp, twilio }) => ({ whatsapp: [...(whatsapp ?? []), { ...BASELINE, throughputPerSecond: 100_000 }], twilio }),
  },
})
const sim = world.url('simulator')
const simJson = async <T>(path: string, init?: RequestInit): Promise<T> => {
  const response = await fetch(`${sim}${path}`, init)
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`)
  return (await response.json()) as T
}
const messagesOf = async (sender: string) => (await simJson<{ messages: RecordedMessage[] }>(`/_sim/messages?limit=1000000&sender=${sender}`)).messages

try {
  // The baseline: a trivial client sends text messages to the simulator as fast as it answers
  // (32 in flight, 3 s): its ceiling and its answer time on this machine, now.
  const baselineTimes: number[] = []
  const baselineEnd = clock() + 3000
  await Promise.all(
    Array.from({ length: 32 }, async (_, lane) => {
      for (let i = 0; clock() < baselineEnd; i++) {
        const asked = clock()
        const response = await fetch(`${sim}/v21.0/${BASELINE.phoneNumberId}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${BASELINE.accessToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ messaging_product: 'whatsapp', to: `39347${String(9_000_000 + lane * 10_000 + i)}`, type: 'text', text: { body: 'prova' } }),
        })
        await response.text()
        if (response.ok) baselineTimes.push(clock() - asked)
      }
    }),
  )
  const baseline = { messagesPerSecond: Math.round(baselineTimes.length / 3), answerMs: percentiles(baselineTimes) }
  out(`baseline: ${JSON.stringify(baseline)}`)

  // The rush: RATE new citizens a second, each writing the keyword once.
  const total = RATE * SECONDS
  const injectedAt = new Map<string, number>()
  const injections: Promise<void>[] = []
  let refused = 0
  out(`driving ${RATE} subscriptions/s for ${SECONDS} s (${total} citizens) on a ${CAP} msg/s number (load average ${load().join(' ')})`)
  const started = clock()
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / RATE - clock()
    if (wait > 0) await sleep(wait)
    const phone = `+39347${String(1_000_000 + i).padStart(7, '0')}`
    injectedAt.set(phone, clock())
    injections.push(
      fetch(`${sim}/_sim/inbound/whatsapp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to: businessNumber, from: phone, text: keyword }) })
        .then(async (response) => {
          await response.text()
          if (!response.ok) refused++
        })
        .catch(() => void refused++),
    )
  }
  await Promise.all(injections)
  const loadAtEnd = load()

  // Every citizen's replies: the welcome first, then what follows it (the privacy notice).
  const byCitizen = (messages: RecordedMessage[]) => {
    const map = new Map<string, RecordedMessage[]>()
    for (const m of messages) if (injectedAt.has(m.to)) map.set(m.to, [...(map.get(m.to) ?? []), m])
    return map
  }
  const welcomed = (messages: RecordedMessage[]) => [...byCitizen(messages).values()].filter((list) => list.some((m) => m.text?.startsWith(welcome))).length
  let messages = await waitUntil(async () => {
    const now = await messagesOf(phoneNumberId)
    return welcomed(now) >= total ? now : undefined
  }, { timeoutMs: 600_000, intervalMs: 1000, what: `a welcome for each of the ${total} citizens` }).catch(async () => await messagesOf(phoneNumberId))
  // As many replies for every citizen as the first one got (the tenant's sign-up sends them together).
  const perCitizen = Math.max(0, ...[...byCitizen(messages).values()].map((list) => list.length))
  messages = await waitUntil(async () => {
    const now = await messagesOf(phoneNumberId)
    return [...byCitizen(now).values()].filter((list) => list.length >= perCitizen).length >= total ? now : undefined
  }, { timeoutMs: 120_000, intervalMs: 1000, what: `${perCitizen} replies for each citizen` }).catch(async () => await messagesOf(phoneNumberId))

  const citizens = byCitizen(messages)
  const latencies: number[] = []
  let violations = 0
  let missed = 0
  let doubled = 0
  for (const [phone, at] of injectedAt) {
    const list = (citizens.get(phone) ?? []).sort((a, b) => a.seq - b.seq)
    if (list.length === 0) {
      missed++
      continue
    }
    latencies.push(list[0]!.acceptedAt - at)
    if (!list[0]!.text?.startsWith(welcome)) violations++
    if (list.length > perCitizen || list.filter((m) => m.text?.startsWith(welcome)).length > 1) doubled++
  }
  const stats = await simJson<{ record: { duplicateMessages: number }; rejections: Record<string, number> }>(`/_sim/stats?sender=${phoneNumberId}`)
  const { maxInWindow } = await simJson<{ maxInWindow: Record<string, number> }>(`/_sim/throughput?windowMs=1000&sender=${phoneNumberId}`)
  out(
    JSON.stringify({
      subscriptionsPerSecond: RATE,
      seconds: SECONDS,
      citizens: total,
      webhooksRefused: refused,
      repliesPerCitizen: perCitizen,
      replies: messages.filter((m) => injectedAt.has(m.to)).length,
      firstReplyMs: percentiles(latencies),
      orderViolations: violations,
      duplicates: stats.record.duplicateMessages + doubled,
      missed,
      busiestSecond: maxInWindow[phoneNumberId] ?? 0,
      cap: CAP,
      providerRejections: stats.rejections,
      baseline,
      loadAverage: { atStart: loadAtEnd, atEnd: load() },
    }),
  )
} finally {
  await world.stop()
  await temporal?.dispose()
  rmSync(tenantsDir, { recursive: true, force: true })
}
process.exit(0)
