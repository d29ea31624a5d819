import { EmergencyWorkflow } from '@banditore/contracts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBroadcastStack, type BroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker, type RunningWorker } from '../broadcast/support/in-process-worker.js'
import { audienceOf } from '../broadcast/support/subscribers.js'
import { waitUntil } from '../harness/index.js'

// A placeholder that is no number at all (the shape the tenant files once shipped), then real ones.
const UNREACHABLE = { name: 'Sindaca di Borgo', role: 'sindaco', phone: '+390000030001', channel: 'sms' } as const
const REACHABLE = { name: 'Responsabile Protezione Civile', role: 'responsabile protezione civile', phone: '+393471120002', channel: 'sms' } as const
const ON_DUTY = { name: 'Reperibile URP', role: 'personale di turno', phone: '+393471129000', channel: 'sms' } as const

/**
 * An official whose number the provider refuses for good is passed over at once: the next one
 * gets the notice without waiting the acknowledgement time, which is far longer than this test
 * may run, so only moving on can pass it.
 */
describe('emergency escalation past an unreachable official', () => {
  let stack: BroadcastStack
  let worker: RunningWorker
  let officer: string

  beforeAll(async () => {
    stack = await startBroadcastStack({
      whatsappMps: 80,
      smsMps: 25,
      emergency: {
        smsFallbackAfterSeconds: 3600,
        acknowledgeWithinSeconds: 3600,
        officials: [UNREACHABLE, REACHABLE],
        onDuty: [ON_DUTY],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } },
      },
    })
    await stack.audience.add(audienceOf(BORGO.id, 3, { from: 60_000, channel: 'sms' }))
    worker = await startInProcessWorker(stack)
    officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
  }, 300_000)
  afterAll(async () => {
    await worker?.stop()
    await stack?.stop()
  })

  it('notifies the next official at once, with the reason on the timeline and no number in the logs', async () => {
    const created = await stack.call('POST', '/v1/emergencies', officer, {
      severity: 'Severe',
      urgency: 'Immediate',
      headline: { it: 'Frana sulla provinciale' },
      description: { it: 'La strada provinciale è chiusa.' },
      trigger: { reason: 'frana in corso, non c’è tempo per la doppia approvazione' },
    })
    expect(created.status, JSON.stringify(created.body)).toBe(201)
    const id = created.body.id as string

    // The acknowledgement time is an hour: the second official's notice can only come from moving on.
    await waitUntil(() => stack.sim.messages({ to: REACHABLE.phone }).length === 1, { timeoutMs: 120_000, what: 'the second official to be notified' })
    expect(stack.sim.messages({ to: UNREACHABLE.phone })).toEqual([])
    // The step is recorded once the provider has answered the notice.
    const notices = await waitUntil(
      async () => {
        const timeline = (await stack.call('GET', `/v1/emergencies/${id}/timeline`, officer)).body.entries as Array<{ kind: string; detail: Record<string, unknown> }>
        const found = timeline.filter((e) => e.kind === 'official-notified')
        return found.length === 2 ? found : undefined
      },
      { timeoutMs: 60_000, what: 'both notices on the timeline' },
    )
    expect(notices.map((e) => e.detail)).toEqual([
      expect.objectContaining({ name: UNREACHABLE.name, step: 1, accepted: false, reason: 'invalid-number', movedOn: true }),
      expect.objectContaining({ name: REACHABLE.name, step: 2, accepted: true }),
    ])
    expect(notices[1]?.detail).not.toHaveProperty('reason')
    const progress = await stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, id)).query<{ escalationStep: number }>('progress')
    expect(progress.escalationStep).toBe(1)

    // The refusal is logged with its reason, at info, without the number.
    const refusal = stack.logs.lines().find((l) => l.msg === 'emergency notice refused for good')
    expect(refusal).toMatchObject({ reasons: ['invalid-number'], failed: 1 })
    expect(stack.logs.text()).not.toContain(UNREACHABLE.phone.slice(1))
  })
})
