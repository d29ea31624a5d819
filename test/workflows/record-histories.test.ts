import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { BroadcastWorkflow, EmergencyWorkflow, RecurringBroadcastWorkflow } from '@banditore/contracts'
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js'
import { describe, expect, it } from 'vitest'
import { waitUntil } from '../harness/index.js'
import { audienceOf } from '../broadcast/support/subscribers.js'
import { startBroadcastStack } from '../broadcast/support/broadcast-stack.js'
import { BORGO } from '../broadcast/support/broadcast-tenant.js'
import { startInProcessWorker } from '../broadcast/support/in-process-worker.js'

const historyPath = (name: string) => fileURLToPath(new URL(`../../workflows/histories/${name}.history.json`, import.meta.url))

/**
 * Records a real run of every workflow against the dev server into workflows/histories, which
 * the replay test (workflows/src/workflows/workflows.replay.test.ts) replays. Only on purpose:
 *   pnpm --filter @banditore/workflows record-histories
 * (skipped in every other run).
 */
describe.skipIf(process.env.BANDITORE_RECORD_HISTORIES !== '1')('record workflow histories', () => {
  it('records a broadcast (sent, paused, resumed, completed), an emergency (acknowledged) and a reply', async () => {
    const stack = await startBroadcastStack({
      whatsappMps: 25,
      extraTopics: ['storia'],
      emergency: {
        smsFallbackAfterSeconds: 2,
        acknowledgeWithinSeconds: 30,
        officials: [{ name: 'Sindaco', role: 'sindaco', phone: '+393471110001', channel: 'sms' }],
        onDuty: [],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it', fr: 'fr' } },
      },
    })
    const worker = await startInProcessWorker(stack)
    try {
      await stack.audience.add(audienceOf(BORGO.id, 120, { topics: ['storia'] }))
      const operator = await stack.token('operator', 'rec@borgo.example')
      const approver = await stack.token('approver', 'app@borgo.example')
      const officer = await stack.token('civil-protection', 'ufficiale@borgo.example')

      // Broadcast: sent, paused, resumed, completed.
      const id = (await stack.call('POST', '/v1/broadcasts', operator, {
        title: 'storia',
        topics: ['storia'],
        whatsapp: { templateName: 'avviso', variants: { it: { code: 'it', bodyParameters: ['storia'] } } },
      })).body.id as string
      await stack.call('POST', `/v1/broadcasts/${id}/approve`, approver, {})
      await stack.call('POST', `/v1/broadcasts/${id}/send`, operator, {})
      await waitUntil(() => stack.sim.messages().length > 20, { timeoutMs: 30_000, what: 'the first messages' })
      await stack.call('POST', `/v1/broadcasts/${id}/pause`, operator)
      await waitUntil(async () => (await stack.call('GET', `/v1/broadcasts/${id}/progress`, operator)).body.status === 'paused', { timeoutMs: 30_000, what: 'the pause' })
      await stack.call('POST', `/v1/broadcasts/${id}/resume`, operator)
      const broadcast = stack.client.workflow.getHandle(BroadcastWorkflow.workflowId(BORGO.id, id))
      await broadcast.result()
      writeFileSync(historyPath('broadcast'), `${historyToJSON(await broadcast.fetchHistory())}\n`)

      // Emergency: citizens, the official notified, acknowledged through the API, closed.
      const created = await stack.call('POST', '/v1/emergencies', officer, {
        severity: 'Severe',
        urgency: 'Immediate',
        headline: { it: 'Allerta di prova', fr: 'Alerte de test' },
        description: { it: 'Il torrente ha superato la soglia di guardia.', fr: 'Le torrent a dépassé le seuil.' },
        trigger: { reason: 'registrazione della storia del workflow' },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const alertId = created.body.id as string
      const timeline = async () => ((await stack.call('GET', `/v1/emergencies/${alertId}/timeline`, officer)).body.entries as Array<{ kind: string }>).map((e) => e.kind)
      await waitUntil(async () => (await timeline()).includes('official-notified'), { timeoutMs: 60_000, what: 'the official notified' })
      // Acknowledged by the signal the staff API and the reply consumer send (the API's body is the staff API's concern).
      const emergency = stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, alertId))
      await emergency.signal(EmergencyWorkflow.signals.acknowledge, { by: 'Sindaco', via: 'api', at: new Date().toISOString() })
      await emergency.result()
      writeFileSync(historyPath('emergency'), `${historyToJSON(await emergency.fetchHistory())}\n`)

      // Reply: one message to one citizen.
      const reply = await stack.client.workflow.start('replyWorkflow', {
        taskQueue: stack.taskQueue,
        workflowId: `reply:${BORGO.id}:history`,
        args: [{ tenant: BORGO.id, replyId: 'history', channel: 'sms', to: '+393471112233', text: 'Iscrizione confermata.' }],
      })
      await reply.result()
      writeFileSync(historyPath('reply'), `${historyToJSON(await reply.fetchHistory())}\n`)
    } finally {
      await worker.stop()
      await stack.stop()
    }
  }, 300_000)

  // Alone, so it can be recorded without the others: -t 'safety poll'.
  it('records an emergency with a safety poll (opened, a help answer, the reminder asked by staff, closed by the all-clear)', async () => {
    const onDuty = { name: 'Reperibile', role: 'personale di turno', phone: '+393471119200', channel: 'sms' }
    const stack = await startBroadcastStack({
      moderation: true,
      emergency: {
        smsFallbackAfterSeconds: 3600,
        acknowledgeWithinSeconds: 3600,
        officials: [],
        onDuty: [onDuty],
        whatsappTemplate: { name: 'allerta_emergenza', languages: { it: 'it' } },
        pollTemplate: { name: 'allerta_sondaggio', languages: { it: 'it' } },
      },
      broadcastEnv: { SAFETY_POLL_CHECK_SECONDS: '1' },
    })
    const worker = await startInProcessWorker(stack)
    try {
      const citizens = audienceOf(BORGO.id, 6, { from: 70_000, channel: 'sms' })
      await stack.audience.add(citizens)
      const officer = await stack.token('civil-protection', 'ufficiale@borgo.example')
      const created = await stack.call('POST', '/v1/emergencies', officer, {
        severity: 'Severe',
        urgency: 'Immediate',
        headline: { it: 'Allerta con sondaggio' },
        description: { it: 'Il torrente ha superato la soglia di guardia.' },
        poll: { reminderAfterSeconds: 86_400 },
        trigger: { reason: 'registrazione della storia del workflow' },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      const alertId = created.body.id as string
      const timeline = async () => ((await stack.call('GET', `/v1/emergencies/${alertId}/timeline`, officer)).body.entries as Array<{ kind: string }>).map((e) => e.kind)
      await waitUntil(() => citizens.every((c) => stack.sim.messages({ to: c.phone }).length > 0), { timeoutMs: 60_000, what: 'the citizens asked' })
      await stack.sim.injectSms({ to: BORGO.smsNumber, from: citizens[0]!.phone, body: '2 aiuto' })
      await waitUntil(async () => (await timeline()).includes('poll-help'), { timeoutMs: 60_000, what: 'the help request told' })
      expect((await stack.call('POST', `/v1/emergencies/${alertId}/poll/reminder`, officer)).status).toBe(200)
      await waitUntil(async () => (await timeline()).includes('poll-reminder'), { timeoutMs: 60_000, what: 'the reminder sent' })
      const allClear = await stack.call('POST', '/v1/emergencies', officer, {
        kind: 'cancel',
        references: alertId,
        severity: 'Minor',
        urgency: 'Past',
        headline: { it: 'Cessato allarme' },
        description: { it: 'Il torrente è rientrato.' },
        trigger: { reason: 'fine' },
      })
      expect(allClear.status).toBe(201)
      const emergency = stack.client.workflow.getHandle(EmergencyWorkflow.workflowId(BORGO.id, alertId))
      await emergency.result()
      writeFileSync(historyPath('emergency-poll'), `${historyToJSON(await emergency.fetchHistory())}\n`)
    } finally {
      await worker.stop()
      await stack.stop()
    }
  }, 300_000)

  // Alone, so it can be recorded without the others: -t 'recurring'.
  it('records a recurring broadcast occurrence (started by its schedule, sent as a child broadcast)', async () => {
    const stack = await startBroadcastStack({ extraTopics: ['storia'] })
    const worker = await startInProcessWorker(stack)
    try {
      await stack.audience.add(audienceOf(BORGO.id, 5, { topics: ['storia'] }))
      const operator = await stack.token('operator', 'rec@borgo.example')
      const approver = await stack.token('approver', 'app@borgo.example')
      const at = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome', dateStyle: 'short', timeStyle: 'medium' }).format(new Date(Date.now() + 10_000)).replace(' ', 'T')
      const created = await stack.call('POST', '/v1/recurring-broadcasts', operator, {
        title: 'storia',
        topics: ['storia'],
        whatsapp: { templateName: 'avviso_generico', variants: { it: { code: 'it', bodyParameters: ['storia'] } } },
        recurrence: { dates: [at] },
      })
      expect(created.status, JSON.stringify(created.body)).toBe(201)
      await stack.call('POST', `/v1/recurring-broadcasts/${created.body.id}/approve`, approver, {})
      const schedule = stack.client.schedule.getHandle(RecurringBroadcastWorkflow.scheduleId(BORGO.id, created.body.id))
      const action = await waitUntil(async () => (await schedule.describe()).info.recentActions[0]?.action, { timeoutMs: 60_000, what: 'the occurrence started' })
      const occurrence = stack.client.workflow.getHandle(action.workflow.workflowId)
      await occurrence.result()
      writeFileSync(historyPath('recurring'), `${historyToJSON(await occurrence.fetchHistory())}\n`)
    } finally {
      await worker.stop()
      await stack.stop()
    }
  }, 120_000)
})
