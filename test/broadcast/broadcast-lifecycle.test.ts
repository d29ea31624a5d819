import { BroadcastWorkflow, broadcastCorrelationPrefix, type BroadcastRunProgress } from '@banditore/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { audienceOf } from './support/subscribers.js'
import { startBroadcastStack, type BroadcastStack } from './support/broadcast-stack.js'
import { BORGO } from './support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from './support/in-process-worker.js'

const draft = {
  title: 'Chiusura via Roma',
  topics: ['avvisi'],
  whatsapp: {
    templateName: 'avviso_viabilita',
    variants: {
      it: { code: 'it', bodyParameters: ['via Roma', 'lunedì 3 marzo dalle 8 alle 18'] },
      fr: { code: 'fr', bodyParameters: ['rue de Rome', 'lundi 3 mars de 8h à 18h'] },
    },
  },
  sms: { texts: { it: 'Comune di Borgo: via Roma chiusa lunedì 3 marzo dalle 8 alle 18.' } },
}

/**
 * The whole path as staff use it: through the API a draft is written, checked, approved by
 * someone else and sent; the workflow runs on the real Temporal server, sends through the
 * provider adapters to the simulator, and the simulator's status webhooks come back through
 * ingest and JetStream into the send ledger until everyone reads it.
 */
describe('a broadcast from draft to read, through the staff API', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let operator: string
  let approver: string

  beforeAll(async () => {
    stack = await startBroadcastStack({ whatsappMps: 200, smsMps: 50 })
    await stack.audience.add([
      ...audienceOf(BORGO.id, 120),
      ...audienceOf(BORGO.id, 20, { from: 120, language: 'fr' }),
      ...audienceOf(BORGO.id, 30, { from: 200, channel: 'sms' }),
      ...audienceOf(BORGO.id, 25, { from: 300, topics: ['eventi'] }),
    ])
    worker = await startInProcessWorker(stack)
    operator = await stack.token('operator', 'anna@borgo.example')
    approver = await stack.token('approver', 'bruno@borgo.example')
  })
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('drafts, approves with four eyes, sends, and reports every recipient delivered and read', async () => {
    const created = await stack.call('POST', '/v1/broadcasts', operator, draft)
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'draft', tenant: BORGO.id, outboundCheck: { state: 'clean' } })
    const id = created.body.id as string

    // The author cannot approve, not even with an approver token of their own.
    const ownApprover = await stack.token('approver', 'anna@borgo.example')
    expect((await stack.call('POST', `/v1/broadcasts/${id}/approve`, operator, {})).status).toBe(403)
    const fourEyes = await stack.call('POST', `/v1/broadcasts/${id}/approve`, ownApprover, {})
    expect(fourEyes).toMatchObject({ status: 403, body: { code: 'FOUR_EYES' } })
    // Nothing is sent before approval.
    expect(await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).toMatchObject({ status: 409, body: { code: 'BROADCAST_STATE' } })

    const approved = await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, { note: 'ok' })
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } })
    expect((await stack.call('PUT', `/v1/broadcasts/${id}`, operator, draft)).status).toBe(409)

    const sent = await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
    expect(sent.status).toBe(202)
    // Sending twice starts nothing more.
    expect((await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})).status).toBe(409)

    await expect
      .poll(async () => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body, { timeout: 45_000, interval: 500 })
      .toMatchObject({ status: 'completed', total: 170, queued: 0, failed: 0, skipped: 0 })
    // Statuses keep arriving after the last send: wait for every read (SMS stops at delivered).
    await expect
      .poll(async () => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body, { timeout: 30_000, interval: 500 })
      .toMatchObject({ read: 140, delivered: 30, accepted: 0, sent: 0 })

    const messages = stack.sim.messages({ correlationPrefix: broadcastCorrelationPrefix(id) })
    expect(messages).toHaveLength(170)
    expect(new Set(messages.map((m) => m.to)).size).toBe(170)
    const whatsapp = messages.filter((m) => m.provider === 'whatsapp-cloud')
    expect(whatsapp).toHaveLength(140)
    expect(whatsapp.filter((m) => m.template?.language === 'fr')).toHaveLength(20)
    expect(whatsapp.every((m) => m.template?.name === 'avviso_viabilita')).toBe(true)
    expect(messages.filter((m) => m.provider === 'sms-gateway').every((m) => m.text === draft.sms.texts.it)).toBe(true)
    // Subscribers of other topics got nothing.
    expect(stack.sim.messages({ to: '+393470000300' })).toHaveLength(0)

    const progress = await stack.client.workflow
      .getHandle(BroadcastWorkflow.workflowId(BORGO.id, id))
      .query<BroadcastRunProgress>(BroadcastWorkflow.queries.progress)
    expect(progress).toMatchObject({ state: 'completed', total: 170, counts: { processed: 170, accepted: 170, failed: 0 } })

    const audit = await stack.call('GET', `/v1/broadcasts/${id}/audit`, approver)
    expect(audit.body.entries.map((e: { action: string }) => e.action)).toEqual(['drafted', 'approved', 'send-requested', 'run-finished'])
    expect(audit.body.entries[3]).toMatchObject({ role: 'system', holder: 'Banditore', detail: { state: 'completed', accepted: 170, failed: 0, unconfirmed: expect.any(Number) } })
    expect(audit.body.entries[1]).toMatchObject({ holder: 'bruno@borgo.example', role: 'approver', detail: { check: 'clean', note: 'ok' } })

    // The trail only grows: the database refuses to rewrite the staff's actions or the run's events.
    for (const [db, table] of [[stack.db, 'broadcast.broadcast_audit'], [stack.workerDb, 'worker.broadcast_run_event']] as const) {
      const t = sql.table(table)
      const name = table.split('.')[1]
      await expect(sql`update ${t} set detail = '{}'`.execute(db)).rejects.toThrow(new RegExp(`${name} is append-only: UPDATE refused`))
      await expect(sql`delete from ${t}`.execute(db)).rejects.toThrow(new RegExp(`${name} is append-only: DELETE refused`))
      await expect(sql`truncate ${t}`.execute(db)).rejects.toThrow(new RegExp(`${name} is append-only: TRUNCATE refused`))
    }
    await expect(sql`truncate broadcast.emergency_timeline`.execute(stack.db)).rejects.toThrow(/emergency_timeline is append-only: TRUNCATE refused/)
    expect((await stack.call('GET', `/v1/broadcasts/${id}/audit`, approver)).body.entries).toHaveLength(4)

    // Personal data never reaches the logs.
    expect(stack.logs.text()).not.toContain('+39347')
  }, 120_000)

  it('streams live progress as server-sent events until the broadcast ends', async () => {
    const id = (await stack.call('POST', '/v1/broadcasts', operator, { ...draft, topics: ['eventi'], sms: undefined })).body.id as string
    await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})
    await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
    const address = stack.apiUrl
    const response = await fetch(`${address}/v1/broadcasts/${id}/progress/stream?intervalMs=200`, { headers: { authorization: `Bearer ${operator}` } })
    expect(response.headers.get('content-type')).toBe('text/event-stream')
    const text = await response.text()
    const events = text.split('\n\n').filter((e) => e.startsWith('event: progress'))
    const last = JSON.parse((events.at(-1) ?? '').split('data: ')[1] ?? '{}')
    expect(events.length).toBeGreaterThan(0)
    expect(last).toMatchObject({ status: 'completed', total: 25, queued: 0 })
    expect(text.trimEnd().endsWith('event: end\ndata: {}')).toBe(true)
  }, 60_000)
})
