import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { broadcastCorrelationPrefix } from '@banditore/contracts'
import type { RecordedMessage } from '@banditore/provider-simulator'
import { startPostgresServer, type TestPostgresServer } from '../harness/postgres-server.js'
import { startTemporalServer, type TestTemporalServer } from '../harness/temporal-server.js'
import { waitUntil } from '../harness/wait.js'
import { startWorld, type World, type WorldInstance, type WorldServiceName } from '../harness/world.js'

const repositoryTenants = fileURLToPath(new URL('../../tenants', import.meta.url))
const SERVICES: WorldServiceName[] = ['ingest', 'moderation', 'subscriptions', 'broadcast', 'worker']
const TENANT = 'ancona'
const ADMIN_TOKEN = `fault-run-admin-${randomBytes(16).toString('hex')}`

/** What happens to the platform while a broadcast runs, once the given share of it was sent. */
export type Fault =
  | { kind: 'kill'; service: WorldServiceName; atShare: number }
  | { kind: 'restart'; dependency: 'nats' | 'postgres'; atShare: number }

/** The run described by issue #17: the same faults, in the same order, as production meets them. */
export const PRODUCTION_FAULTS: readonly Fault[] = [
  { kind: 'kill', service: 'worker', atShare: 0.1 },
  { kind: 'kill', service: 'broadcast', atShare: 0.25 },
  { kind: 'kill', service: 'subscriptions', atShare: 0.4 },
  { kind: 'kill', service: 'ingest', atShare: 0.5 },
  { kind: 'restart', dependency: 'nats', atShare: 0.6 },
  { kind: 'restart', dependency: 'postgres', atShare: 0.75 },
]

export interface FaultRunOptions {
  /** Citizens who subscribe through the real path before the broadcast: its audience. */
  citizens: number
  /** Citizens who subscribe while the faults happen (spread over them). */
  inboundDuringFaults: number
  /** The tenant's WhatsApp number's cap, msg/s (Ancona's file says 80). */
  messagesPerSecond: number
  /** How many processes of every deployable run behind the same streams and task queues. */
  replicas: 1 | 2
  faults?: readonly Fault[]
  /** Progress lines (default: none). */
  log?: (line: string) => void
}

export interface FaultRunReport {
  audience: number
  /** Audience members who never received the broadcast. */
  missed: number
  /** A few of the missed, with what the staff API's send ledger says of them. */
  missedSample: unknown[]
  /** Audience members who received it more than once. */
  doubled: number
  /** Citizens who wrote during the faults and were never answered. */
  lostInbound: number
  /** Citizens answered more than once for one message. */
  doubledReplies: number
  /** A few of them: when they wrote and what they received (ms since the run started), with its correlation. */
  doubledRepliesSample: unknown[]
  /** Processes that ended without being killed by the run. */
  unexpectedExits: string[]
  /** Bad webhooks (malformed, wrongly signed, too large) answered with anything but 400/401/413. */
  badInputMisanswered: string[]
  /** First reply after subscribing, ms: before the faults and during them. */
  replyLatency: { quiet: Percentiles; faults: Percentiles }
  /** The staff API's last progress of the broadcast. */
  progress: Record<string, unknown>
  faults: string[]
  seconds: number
}

export interface Percentiles {
  count: number
  p50: number
  p99: number
  max: number
}

const percentiles = (values: number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0)
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) }
}

/**
 * The fault run: every deployable as its own process(es) against a PostgreSQL, a nats-server and
 * a Temporal server of its own; citizens subscribe through the provider simulator, ingest,
 * moderation and subscriptions; staff send a broadcast to all of them through the staff API;
 * while it runs, processes are killed with SIGKILL (and started again, as a supervisor does),
 * NATS and PostgreSQL are restarted, and more citizens write. Bad webhooks are sent before and
 * after. The report counts what production must never do: miss, double, lose, exit.
 */
export async function runFaultRun(options: FaultRunOptions): Promise<FaultRunReport> {
  const log = options.log ?? (() => undefined)
  const started = Date.now()
  const faults = options.faults ?? PRODUCTION_FAULTS
  const tenantsDir = mkdtempSync(join(tmpdir(), 'banditore-fault-run-'))
  const document = JSON.parse(readFileSync(join(repositoryTenants, `${TENANT}.json`), 'utf8')) as {
    channels: { whatsapp: { number: string; messagesPerSecond: number } }
    texts: { it: { welcome: string } }
    $schema?: string
  }
  document.channels.whatsapp.messagesPerSecond = options.messagesPerSecond
  delete document.$schema
  writeFileSync(join(tenantsDir, `${TENANT}.json`), JSON.stringify(document))
  const businessNumber = document.channels.whatsapp.number
  const welcome = document.texts.it.welcome.split('{')[0]!.trim()

  let postgres: TestPostgresServer | undefined
  let temporal: TestTemporalServer | undefined
  let world: World | undefined
  try {
    ;[postgres, temporal] = await Promise.all([startPostgresServer(), startTemporalServer()])
    log(`starting ${SERVICES.length} deployables × ${options.replicas} as processes`)
    world = await startWorld({
      services: SERVICES.map((name) => ({ name, replicas: options.replicas })),
      mode: 'process',
      tenantsDir,
      postgresUrl: postgres.url,
      temporalAddress: temporal.address,
      // Quiet hours off: the run is the same at any hour.
      serviceEnv: { broadcast: { BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN, QUIET_HOURS_DEFAULT: 'off' } },
      // Meta and Twilio retry a webhook nobody took for hours; 16 doubling attempts cover the run.
      simulator: { options: { callbackMaxAttempts: 16 } },
    })
    const w = world
    const sim = w.simulator!.running!
    const instances = SERVICES.flatMap((name) => (w.services[name]?.instances ?? []).map((instance) => ({ name, instance })))

    // A process that ends on its own fails the run at once, with its last words: waiting for a
    // broadcast whose worker died would only time out.
    const killing = new Set<WorldInstance>()
    const dead = (): string | undefined => {
      for (const { name, instance } of instances) {
        const child = instance.process.child
        if (!killing.has(instance) && (child.exitCode !== null || child.signalCode !== null)) {
          return `${name} exited on its own (${child.exitCode ?? child.signalCode}):\n${instance.process.output().slice(-4000)}`
        }
      }
      return undefined
    }
    /** Waits for `condition`, failing at once when a process died on its own. */
    const waitAlive = async (condition: () => boolean | Promise<boolean>, options: Parameters<typeof waitUntil>[1]) => {
      const outcome = await waitUntil(async () => dead() ?? (await condition()), options)
      if (typeof outcome === 'string') throw new Error(outcome)
    }
    const badInputMisanswered = [...(await sendBadInput(w, 'before'))]

    // Citizens subscribe through the real path.
    let nextCitizen = 0
    const newCitizen = () => `+39347${String(6_000_000 + ++nextCitizen).padStart(7, '0')}`
    const injectedAt = new Map<string, number>()
    const subscribe = async (phone: string) => {
      injectedAt.set(phone, Date.now())
      await sim.injectWhatsApp({ to: businessNumber, from: phone, text: 'ISCRIVIMI' })
    }
    const welcomesOf = (messages: RecordedMessage[]) => {
      const byCitizen = new Map<string, RecordedMessage[]>()
      for (const m of messages) if (m.text?.startsWith(welcome)) byCitizen.set(m.to, [...(byCitizen.get(m.to) ?? []), m])
      return byCitizen
    }
    const audience = Array.from({ length: options.citizens }, newCitizen)
    log(`${audience.length} citizens subscribe`)
    await inBatches(audience, 25, subscribe)
    await waitAlive(() => welcomesOf(sim.messages()).size >= audience.length, {
      timeoutMs: 600_000,
      what: `a welcome for each of the ${audience.length} citizens`,
    })
    const quietWelcomes = welcomesOf(sim.messages())
    const quietLatency = percentiles(audience.map((phone) => (quietWelcomes.get(phone)?.[0]?.acceptedAt ?? Number.NaN) - injectedAt.get(phone)!))

    // Staff send a broadcast to every subscriber.
    const api = async (method: string, path: string, token: string, body?: unknown) => {
      for (;;) {
        // The staff API may be the process just killed: staff retry, and so does the run.
        const response = await fetch(`${w.url('broadcast')}${path}`, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }).catch(() => undefined)
        if (response && response.status < 500) return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> }
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
    const token = async (role: string, holder: string) => {
      const created = await api('POST', '/v1/tokens', ADMIN_TOKEN, { tenant: TENANT, role, holder, label: `${role} ${holder}` })
      if (created.status !== 201) throw new Error(`no ${role} token: ${JSON.stringify(created.body)}`)
      return created.body.token as string
    }
    const operator = await token('operator', 'ufficio stampa')
    const approver = await token('approver', 'dirigente')
    const draft = await api('POST', '/v1/broadcasts', operator, {
      title: 'Prova di resistenza',
      topics: ['emergenze'],
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['la raccolta della carta è spostata a giovedì', 'www.comune.ancona.it'] } } },
    })
    if (draft.status !== 201) throw new Error(`the broadcast was not created: ${JSON.stringify(draft.body)}`)
    const id = draft.body.id as string
    const approved = await api('POST', `/v1/broadcasts/${id}/approve`, approver, {})
    if (approved.status !== 200) throw new Error(`the broadcast was not approved: ${JSON.stringify(approved.body)}`)
    const sent = await api('POST', `/v1/broadcasts/${id}/send`, operator, {})
    if (sent.status !== 202) throw new Error(`the broadcast was not sent: ${JSON.stringify(sent.body)}`)
    const broadcastMessages = () => sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
    log(`broadcast ${id} sent to ${audience.length}`)

    // The faults, each once the given share of the broadcast went out; citizens keep writing.
    const killed = new Set<WorldInstance>()
    const applied: string[] = []
    const duringFaults = Array.from({ length: options.inboundDuringFaults }, newCitizen)
    const perStep = Math.ceil(duringFaults.length / Math.max(1, faults.length))
    const writing: Promise<void>[] = []
    for (const [index, fault] of faults.entries()) {
      await waitAlive(() => new Set(broadcastMessages().map((m) => m.to)).size >= fault.atShare * audience.length, {
        timeoutMs: 600_000,
        intervalMs: 50,
        what: `${Math.round(fault.atShare * 100)} % of the broadcast`,
      }).catch(async (error: unknown) => {
        const progress = (await api('GET', `/v1/broadcasts/${id}/progress`, operator)).body
        const outputs = instances.map(({ name, instance }) => `--- ${name}\n${instance.process.output().slice(-1500)}`).join('\n')
        throw new Error(`${String(error)}\nprogress: ${JSON.stringify(progress)}\nsimulator: ${JSON.stringify(sim.stats())}\n${outputs}`, { cause: error })
      })
      for (const phone of duringFaults.slice(index * perStep, (index + 1) * perStep)) writing.push(subscribe(phone))
      if (fault.kind === 'kill') {
        const targets = w.services[fault.service]?.instances ?? []
        // With replicas, one of them dies: the others carry on.
        const target = targets[index % targets.length]!
        killed.add(target)
        killing.add(target)
        await target.kill('SIGKILL')
        applied.push(`kill -9 ${fault.service}${targets.length > 1 ? ` (replica ${targets.indexOf(target) + 1})` : ''} at ${Date.now() - started} ms`)
        log(applied.at(-1)!)
        await target.restart()
        killing.delete(target)
      } else {
        const server = fault.dependency === 'nats' ? w.nats : postgres
        await server.stop()
        applied.push(`restart ${fault.dependency} at ${Date.now() - started} ms`)
        log(applied.at(-1)!)
        await server.start()
      }
    }
    // Whatever the broadcast's pace, everyone who writes during the faults writes now at the latest.
    for (const phone of duringFaults.slice(faults.length * perStep)) writing.push(subscribe(phone))
    await Promise.all(writing)

    log('waiting for the broadcast and the replies to finish')
    let progress: Record<string, unknown> = {}
    await waitAlive(
      async () => {
        progress = (await api('GET', `/v1/broadcasts/${id}/progress`, operator)).body
        return progress.status === 'completed' || progress.status === 'failed' || progress.status === 'cancelled'
      },
      { timeoutMs: 900_000, intervalMs: 500, what: 'the broadcast to end' },
    )
    await waitUntil(() => duringFaults.every((phone) => (welcomesOf(sim.messages({ to: phone })).get(phone)?.length ?? 0) > 0), {
      timeoutMs: 300_000,
      what: 'a welcome for every citizen who wrote during the faults',
    }).catch(() => undefined)
    await sim.settle()
    badInputMisanswered.push(...(await sendBadInput(w, 'after')))

    const received = new Map<string, number>()
    for (const m of broadcastMessages()) received.set(m.to, (received.get(m.to) ?? 0) + 1)
    const welcomes = welcomesOf(sim.messages())
    const faultLatency = percentiles(
      duringFaults.filter((phone) => welcomes.has(phone)).map((phone) => welcomes.get(phone)![0]!.acceptedAt - injectedAt.get(phone)!),
    )
    const unexpectedExits = instances
      .filter(({ instance }) => instance.process.child.exitCode !== null || instance.process.child.signalCode !== null)
      .map(({ name, instance }) => `${name}${killed.has(instance) ? ' (after its restart)' : ''}: ${instance.process.output().slice(-2000)}`)
    const missed = audience.filter((phone) => !received.has(phone))
    const failures =
      missed.length > 0
        ? (await (await fetch(`${w.url('broadcast')}/v1/broadcasts/${id}/failures.csv`, { headers: { authorization: `Bearer ${operator}` } })).text()).slice(0, 1500)
        : undefined
    return {
      audience: audience.length,
      missed: missed.length,
      missedSample: [failures],
      doubled: [...received.values()].filter((n) => n > 1).length,
      lostInbound: duringFaults.filter((phone) => !welcomes.has(phone)).length,
      doubledReplies: [...welcomes.values()].filter((list) => list.length > 1).length,
      doubledRepliesSample: [...welcomes.entries()]
        .filter(([, list]) => list.length > 1)
        .slice(0, 5)
        .map(([phone, list]) => ({
          wroteAt: (injectedAt.get(phone) ?? Number.NaN) - started,
          received: list.map((m) => ({ at: Math.round(m.acceptedAt - started), correlation: m.correlation, id: m.providerMessageId })),
        })),
      unexpectedExits,
      badInputMisanswered,
      replyLatency: { quiet: quietLatency, faults: faultLatency },
      progress,
      faults: applied,
      seconds: Math.round((Date.now() - started) / 1000),
    }
  } finally {
    await world?.stop()
    await temporal?.dispose()
    await postgres?.dispose()
    rmSync(tenantsDir, { recursive: true, force: true })
  }
}

async function inBatches<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run))
}

/** Webhooks no provider would send: each must get its 4xx, before and after the faults. */
async function sendBadInput(world: World, when: string): Promise<string[]> {
  const url = `${world.url('ingest')}/webhooks/whatsapp`
  const cases: Array<{ name: string; body: string; headers: Record<string, string>; expected: number[] }> = [
    { name: 'malformed JSON', body: '{"object":"whatsapp_business_account","entry":[', headers: { 'x-hub-signature-256': 'sha256=00' }, expected: [400, 401] },
    { name: 'wrong signature', body: JSON.stringify({ object: 'whatsapp_business_account', entry: [] }), headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` }, expected: [401] },
    { name: 'too large', body: JSON.stringify({ object: 'whatsapp_business_account', padding: 'x'.repeat(2 * 1024 * 1024) }), headers: {}, expected: [413] },
  ]
  const wrong: string[] = []
  for (const c of cases) {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...c.headers }, body: c.body })
    if (!c.expected.includes(response.status)) wrong.push(`${when}: ${c.name} answered ${response.status}`)
  }
  return wrong
}

