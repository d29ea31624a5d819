import { EmergencyWorkflow } from '@banditore/contracts'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from '../broadcast/support/in-process-worker.js'
import { audienceOf } from '../broadcast/support/subscribers.js'

const RESEND_AFTER_MS = 2000

/**
 * An emergency whose sends the provider accepted without answering, while no delivery status
 * reaches the worker (its status feed is down, as when ingest is): nothing can prove the first
 * message went, so after `emergencyResendAfterMs` it is sent again, and the run says so. A
 * routine broadcast would wait for proof instead (test/broadcast/broadcast-faults.test.ts).
 */
describe('an emergency resends what it cannot prove was sent', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let officer: string
  const citizens = audienceOf(BORGO.id, 10, { from: 60_000 })
  const unanswered = citizens.slice(0, 3)

  beforeAll(async () => {
    stack = await startBroadcastStack({
      whatsappMps: 200,
      emergency: {
        // Longer than the test: only the resend, not the SMS fallback, reaches anyone twice.
        smsFallbackAfterSeconds: 3600,
        acknowledgeWithinSeconds: 600,
        officials: [],
        onDuty: [],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } },
      },
    })
    await stack.audience.add(citizens)
    worker = await startInProcessWorker(stack, { statusFeed: false, timeoutMs: 1000, settings: { emergencyResendAfterMs: RESEND_AFTER_MS } })
    officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
  }, 300_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('sends again, once, to whoever it has no proof for, and records it without proof', async () => {
    // The first send to each of three citizens is accepted and recorded, and never answered.
    stack.sim.setFaults({ rules: unanswered.map((c) => ({ action: 'accept-then-timeout' as const, provider: 'whatsapp-cloud' as const, to: c.phone, count: 1 })) })
    const created = await stack.call('POST', '/v1/emergencies', officer, {
      severity: 'Extreme',
      urgency: 'Immediate',
      headline: { it: 'Frana sulla provinciale' },
      description: { it: 'La strada provinciale è chiusa per una frana.' },
      instruction: { it: 'Non avvicinarsi alla zona.' },
      trigger: { reason: 'frana in corso, avviso immediato' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id as string
    try {
      const to = (phone: string) => stack.sim.messages({ to: phone }).filter((m) => m.provider === 'whatsapp-cloud')
      // Everyone has the alert; the three unanswered have it twice (the first was accepted).
      await expect.poll(() => unanswered.map((c) => to(c.phone).length), { timeout: 90_000, interval: 200 }).toEqual([2, 2, 2])
      expect(citizens.slice(3).map((c) => to(c.phone).length)).toEqual(Array(7).fill(1))
      expect(stack.sim.simulator.faults.get().applied).toEqual([1, 1, 1])
      // The run's history names the resend and that it went without proof.
      await expect
        .poll(async () => {
          const { rows } = await sql<{ count: number; detail: Record<string, unknown> }>`
            select count, detail from worker.broadcast_run_event where tenant = ${BORGO.id} and kind = 'resent'`.execute(stack.workerDb)
          return rows
        }, { timeout: 60_000, interval: 200 })
        .toEqual([{ count: 3, detail: { withoutProof: true } }])
      const { rows: ledger } = await sql<{ resent: number; open: number }>`
        select count(*) filter (where ambiguous_resends > 0)::int as resent, count(*) filter (where state in ('pending', 'sending'))::int as open
        from worker.send_ledger where tenant = ${BORGO.id} and channel = 'whatsapp'`.execute(stack.workerDb)
      expect(ledger[0]).toEqual({ resent: 3, open: 0 })
    } finally {
      stack.sim.clearFaults()
      await stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, id)).terminate('test over').catch(() => undefined)
    }
  }, 180_000)
})
