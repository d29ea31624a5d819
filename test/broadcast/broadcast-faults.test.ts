import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { broadcastCorrelationPrefix } from '@banditore/contracts'
import { sql } from 'kysely'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { spawnService, type ServiceProcess } from '../harness/index.js'
import { audienceOf, type AudienceMember } from './support/subscribers.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO, borgoTenantDocument, SECRETS } from './support/broadcast-tenant.js'
import { sharedBundle, startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'

const TOPICS = ['guasti', 'crash', 'disiscrizioni', 'senza-stato', 'modello-sospeso']
const workerEntry = fileURLToPath(new URL('./worker-process.ts', import.meta.url))

/**
 * The send ledger's promise under faults: whatever fails — provider errors, answers that never
 * come, a worker killed mid-broadcast — every recipient is sent to exactly once.
 */
describe('broadcast under faults', () => {
  let stack: BroadcastStack
  let operator: string
  let approver: string
  let scratch: string
  let inProcess: RunningWorker | undefined
  const children: ServiceProcess[] = []

  const sendTo = async (topic: string) => {
    const id = (await stack.call('POST', '/v1/broadcasts', operator, {
      title: `prova ${topic}`,
      topics: [topic],
      whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['Prova del Comune di Borgo'] } } },
    })).body.id as string
    expect((await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})).status).toBe(200)
    expect((await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(202)
    return id
  }
  const progressOf = async (id: string) => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body
  const runEvents = async (id: string) => {
    const { status, body } = await stack.call('GET', `/v1/broadcasts/${id}/audit`, operator)
    expect(status).toBe(200)
    return (body.entries as Array<{ action: string; role: string; holder: string; detail: Record<string, unknown> }>).filter((e) => e.role === 'system')
  }
  /** Every ambiguous send is counted once, in exactly one of its fates. */
  const expectAmbiguityAddsUp = (ambiguity: { found: number; confirmed: number; resent: number; unresolved: number; waiting: number }) =>
    expect(ambiguity.confirmed + ambiguity.resent + ambiguity.unresolved + ambiguity.waiting).toBe(ambiguity.found)
  const recorded = (id: string) => stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
  const expectEachOnce = (id: string, audience: readonly AudienceMember[]) => {
    const messages = recorded(id)
    const perPhone = new Map<string, number>()
    for (const m of messages) perPhone.set(m.to, (perPhone.get(m.to) ?? 0) + 1)
    expect([...perPhone.values()].filter((n) => n > 1)).toEqual([])
    expect(audience.filter((m) => !perPhone.has(m.phone)).map((m) => m.phone)).toEqual([])
    expect(messages).toHaveLength(audience.length)
  }

  beforeAll(async () => {
    stack = await startBroadcastStack({ whatsappMps: 100, extraTopics: TOPICS })
    operator = await stack.token('operator', 'franca@borgo.example')
    approver = await stack.token('approver', 'guido@borgo.example')
    scratch = mkdtempSync(join(tmpdir(), 'banditore-broadcast-'))
    mkdirSync(join(scratch, 'tenants'))
    writeFileSync(join(scratch, 'tenants', 'borgo.json'), JSON.stringify(borgoTenantDocument({ whatsappMps: 100, extraTopics: TOPICS })))
    writeFileSync(join(scratch, 'bundle.json'), JSON.stringify(await sharedBundle()))
  })
  afterEach(async () => {
    await inProcess?.stop()
    inProcess = undefined
    for (const child of children.splice(0)) if (child.child.exitCode === null) await child.signal('SIGKILL')
  })
  afterAll(async () => {
    await stack?.stop()
    if (scratch) rmSync(scratch, { recursive: true, force: true })
  })

  it('with 5% of sends failing transiently and 2% answered never, delivers to everyone once', async () => {
    const audience = audienceOf(BORGO.id, 400, { from: 10_000, topics: ['guasti'] })
    await stack.audience.add(audience)
    stack.sim.setFaults({
      rules: [
        // HTTP 500 and 503: not accepted, but the adapter cannot know it: ambiguous.
        { action: 'error', provider: 'whatsapp-cloud', errorCode: 131000, rate: 0.03 },
        { action: 'error', provider: 'whatsapp-cloud', errorCode: 131016, rate: 0.02 },
        // Accepted (statuses follow) but never answered: ambiguous, and must not be sent again.
        { action: 'accept-then-timeout', provider: 'whatsapp-cloud', rate: 0.02 },
      ],
    })
    inProcess = await startInProcessWorker(stack, { timeoutMs: 1500, settings: { ambiguityWindowMs: 3000 } })
    try {
      const id = await sendTo('guasti')
      await expect.poll(async () => (await progressOf(id)).status, { timeout: 90_000, interval: 500 }).toBe('completed')
      const injected = stack.sim.simulator.faults.get().applied
      expect(injected[0]! + injected[1]!).toBeGreaterThan(5)
      expect(injected[2]).toBeGreaterThan(0)
      expectEachOnce(id, audience)
      await expect.poll(async () => (await progressOf(id)).read, { timeout: 60_000, interval: 500 }).toBe(400)
      const { rows } = await sql<{ resent: number }>`
        select count(*)::int as resent from worker.send_ledger where broadcast_id = ${id}::uuid and ambiguous_resends > 0`.execute(stack.workerDb)
      // The 500/503 sends were resent once the status feed showed nothing came for them.
      expect(rows[0]?.resent).toBeGreaterThan(0)
      // Staff are told: the ambiguous sends, what became of them, and that the outcome is confirmed.
      const progress = await progressOf(id)
      expect(progress).toMatchObject({ outcome: 'confirmed', interruptions: 0, ambiguity: { resent: rows[0]?.resent, unresolved: 0, waiting: 0 } })
      // Those resent and any a status confirmed after the timeout (a status that came before the
      // timeout settled the send at once: never ambiguous).
      expect(progress.ambiguity.found).toBeGreaterThanOrEqual(progress.ambiguity.resent)
      expectAmbiguityAddsUp(progress.ambiguity)
      const events = await runEvents(id)
      const sum = (action: string) => events.filter((e) => e.action === action).reduce((n, e) => n + Number(e.detail.count), 0)
      expect(sum('run-ambiguous')).toBe(progress.ambiguity.found)
      expect(sum('run-resent')).toBe(progress.ambiguity.resent)
      expect(events.filter((e) => e.action === 'run-finished')).toHaveLength(1)
      expect(events.map((e) => e.action)).not.toContain('run-interrupted')
    } finally {
      stack.sim.clearFaults()
    }
  }, 150_000)

  it('survives kill -9 of the worker mid-broadcast: every recipient recorded exactly once', async () => {
    const audience = audienceOf(BORGO.id, 600, { from: 20_000, topics: ['crash'] })
    await stack.audience.add(audience)
    const env = {
      DATABASE_URL: stack.database.url,
      NATS_URL: stack.nats.url,
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TASK_QUEUE: stack.taskQueue,
      TENANTS_DIR: join(scratch, 'tenants'),
      SIM_URL: stack.sim.url,
      SMS_STATUS_CALLBACK_URL: `${stack.ingestUrl}/webhooks/sms/status`,
      WORKFLOW_BUNDLE: join(scratch, 'bundle.json'),
      BROADCAST_SETTINGS: JSON.stringify({ ambiguityWindowMs: 4000 }),
      ...SECRETS,
    }
    const startWorker = async () => {
      const child = spawnService(workerEntry, env)
      children.push(child)
      await expect
        .poll(() => (child.child.exitCode === null ? child.output() : `exited: ${child.output()}`), { timeout: 60_000, interval: 200 })
        .toMatch(/^(?!exited)[\s\S]*broadcast worker running/)
      return child
    }
    const first = await startWorker()
    const id = await sendTo('crash')
    await expect.poll(() => recorded(id).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(150)
    const killed = await first.signal('SIGKILL')
    expect(killed.signal).toBe('SIGKILL')
    const atKill = recorded(id).length
    expect(atKill).toBeLessThan(600)
    const { rows: inFlight } = await sql<{ n: number }>`
      select count(*)::int as n from worker.send_ledger where broadcast_id = ${id}::uuid and state in ('pending', 'sending')`.execute(stack.workerDb)
    expect(inFlight[0]?.n).toBeGreaterThan(0)

    await startWorker()
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 90_000, interval: 500 }).toBe('completed')
    expectEachOnce(id, audience)
    const progress = await progressOf(id)
    expect(progress).toMatchObject({ total: 600, failed: 0, skipped: 0, queued: 0 })
    // The kill is on the record: progress counts it, the audit trail says when, and whatever
    // the dead worker left in flight is accounted for.
    expect(progress.interruptions).toBeGreaterThanOrEqual(1)
    expectAmbiguityAddsUp(progress.ambiguity)
    const events = await runEvents(id)
    expect(events.find((e) => e.action === 'run-interrupted')).toMatchObject({ holder: 'Banditore', detail: { step: 'pages' } })
    expect(events.at(-1)).toMatchObject({ action: 'run-finished', detail: { state: 'completed' } })
  }, 180_000)

  it('ends unconfirmed, and says so, when the provider never reports a status', async () => {
    const audience = audienceOf(BORGO.id, 30, { from: 40_000, topics: ['senza-stato'] })
    await stack.audience.add(audience)
    stack.sim.setFaults({ statusCallbacks: { dropRate: 1 } })
    inProcess = await startInProcessWorker(stack)
    try {
      const id = await sendTo('senza-stato')
      await expect.poll(async () => (await progressOf(id)).status, { timeout: 90_000, interval: 500 }).toBe('completed')
      expectEachOnce(id, audience)
      expect(await progressOf(id)).toMatchObject({ outcome: 'unconfirmed', accepted: 30, sent: 0, delivered: 0, failed: 0 })
      const events = await runEvents(id)
      expect(events.filter((e) => e.action === 'run-finished')).toMatchObject([{ detail: { state: 'completed', unconfirmed: 30 } }])
    } finally {
      stack.sim.clearFaults()
    }
  }, 120_000)

  it('honours an unsubscribe during a broadcast from the next batch on', async () => {
    const audience = audienceOf(BORGO.id, 240, { from: 30_000, topics: ['disiscrizioni'] })
    await stack.audience.add(audience)
    inProcess = await startInProcessWorker(stack, { settings: { batchSize: 20, pipelineDepth: 1 } })
    const id = await sendTo('disiscrizioni')
    await expect.poll(() => recorded(id).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(40)
    // Ten citizens further down the audience send CANCELLAMI; subscriptions publishes the change.
    const leaving = audience.slice(200, 210)
    for (const member of leaving) await stack.audience.unsubscribe(member, 'CANCELLAMI')
    await expect
      .poll(async () => (await sql<{ n: number }>`select count(*)::int as n from worker.opt_out where opted_out`.execute(stack.workerDb)).rows[0]?.n, { timeout: 60_000, interval: 50 })
      .toBe(10)
    // Sent since then: only batches already running when the opt-outs landed. The broadcast was
    // still under way then (the ten are further down), so the rest was sent after they landed.
    expect(recorded(id).length).toBeLessThan(200)
    await expect.poll(async () => (await progressOf(id)).status, { timeout: 120_000, interval: 500 }).toBe('completed')
    const messages = recorded(id)
    expect(messages.filter((m) => leaving.some((l) => l.phone === m.to))).toEqual([])
    expect(messages).toHaveLength(230)
    expect(await progressOf(id)).toMatchObject({ skipped: 10, skippedByReason: { unsubscribed: 10 } })
  }, 240_000)

  it('halts, failing nobody, when Meta pauses its template mid-run, and finishes once staff resume it', async () => {
    const audience = audienceOf(BORGO.id, 600, { from: 45_000, topics: ['modello-sospeso'] })
    await stack.audience.add(audience)
    inProcess = await startInProcessWorker(stack, { settings: { batchSize: 20, pipelineDepth: 1 } })
    const id = await sendTo('modello-sospeso')
    try {
      await expect.poll(() => recorded(id).length, { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(40)
      // Meta pauses the template for low quality: every later send of it is refused (132015).
      stack.sim.simulator.updateTemplate(BORGO.phoneNumberId, 'avviso_generico', { status: 'PAUSED', qualityRating: 'RED' })
      await expect.poll(async () => (await progressOf(id)).status, { timeout: 60_000, interval: 200 }).toBe('paused')
      const halted = recorded(id).length
      expect(halted).toBeLessThan(600)
      // Nobody failed for it: whoever was not reached is still to come.
      expect(await progressOf(id)).toMatchObject({ failed: 0, queued: 600 - halted })
      const events = await runEvents(id)
      expect(events.filter((e) => e.action === 'run-halted')).toMatchObject([{ holder: 'Banditore', detail: { template: 'avviso_generico', providerCode: '132015' } }])
      expect(events.map((e) => e.action)).not.toContain('run-finished')
      // Approved again, and resumed by staff: everyone else gets it, each once.
      stack.sim.simulator.updateTemplate(BORGO.phoneNumberId, 'avviso_generico', { status: 'APPROVED', qualityRating: 'GREEN' })
      expect((await stack.call('POST', `/v1/broadcasts/${id}/resume`, operator, {})).status).toBe(202)
      await expect.poll(async () => (await progressOf(id)).status, { timeout: 90_000, interval: 500 }).toBe('completed')
      expectEachOnce(id, audience)
      expect(await progressOf(id)).toMatchObject({ total: 600, failed: 0, skipped: 0, queued: 0 })
    } finally {
      stack.sim.simulator.updateTemplate(BORGO.phoneNumberId, 'avviso_generico', { status: 'APPROVED', qualityRating: 'GREEN' })
    }
  }, 240_000)
})
