import type { EmergencyAcknowledgement, EmergencyClose, EmergencyProgress, EmergencyRunInput, SafetyPollRemind } from '@banditore/contracts'
import {
  condition,
  defineQuery,
  defineSignal,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  patched,
  proxyActivities,
  setHandler,
  startChild,
  uuid4,
  workflowInfo,
} from '@temporalio/workflow'
import type { createEmergencyActivities } from '../activities/emergency.activities.js'
import { massBroadcastWorkflow } from './broadcast.workflow.js'

type Activities = ReturnType<typeof createEmergencyActivities>

const steps = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds', nonRetryableErrorTypes: ['BroadcastConfigurationError'] },
})
const sending = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', nonRetryableErrorTypes: ['BroadcastConfigurationError'] },
})

/** The most times a safety poll's count is read while it is open (see pollWatch). */
const MAX_POLL_CHECKS = 1000

// Signal and query names as the contracts give them (EmergencyWorkflow).
export const acknowledgeSignal = defineSignal<[EmergencyAcknowledgement]>('acknowledge')
export const closeSignal = defineSignal<[EmergencyClose]>('close')
export const remindPollSignal = defineSignal<[SafetyPollRemind]>('remindPoll')
export const emergencyProgressQuery = defineQuery<EmergencyProgress>('progress')

/**
 * One emergency alert, from trigger to close. Citizens: every subscriber, through a child
 * `massBroadcastWorkflow` on this (emergency) task queue with emergency priority, so the send
 * ledger, pages, opt-outs and remainder work as for broadcasts. In parallel: the escalation chain
 * (each official notified in turn, `acknowledgeWithinSeconds` each, until an `acknowledge`
 * signal; then the staff on duty) and the SMS fallback (WhatsApp recipients without a delivered
 * status after `smsFallbackAfterSeconds`). An update or all-clear sends `close`: the pending
 * fallback and escalation stop. Every step goes on the alert's timeline.
 */
export async function emergencyAlertWorkflow(input: EmergencyRunInput): Promise<EmergencyProgress> {
  const { alertId, tenant } = input
  let acknowledgement: EmergencyAcknowledgement | undefined
  let closedBy: EmergencyClose | undefined
  let phase: EmergencyProgress['phase'] = 'sending'
  let escalationStep = -1
  setHandler(acknowledgeSignal, (ack) => {
    acknowledgement ??= ack
  })
  setHandler(closeSignal, (close) => {
    closedBy ??= close
  })
  let remindBy: string | undefined
  setHandler(remindPollSignal, ({ by }) => {
    remindBy ??= by
  })
  const progress = (): EmergencyProgress => ({
    alertId,
    phase,
    escalationStep,
    ...(acknowledgement ? { acknowledgement } : {}),
    ...(closedBy ? { closedBy } : {}),
  })
  setHandler(emergencyProgressQuery, progress)
  // Read through a function: signal handlers change these between awaits.
  const acknowledged = () => acknowledgement
  const closed = () => closedBy
  const timeline = (key: string, kind: Parameters<Activities['recordEmergencyTimeline']>[0]['kind'], actor: string, detail: Record<string, unknown> = {}) =>
    steps.recordEmergencyTimeline({ alertId, key, kind, actor, detail })

  // A safety poll opens before anyone can read its question, so no early answer is lost.
  const poll = input.kind !== 'cancel' ? input.poll : undefined
  const pollOpenedAt = Date.now()
  const pollClosesAt = poll ? pollOpenedAt + poll.openForSeconds * 1000 : pollOpenedAt
  if (poll) {
    await steps.setSafetyPollState({ version: 1, tenant, pollId: alertId, state: 'open', at: new Date(pollOpenedAt).toISOString(), closesAt: new Date(pollClosesAt).toISOString() })
  }

  // Citizens first: nothing else runs before their send has started.
  const citizens = await startChild(massBroadcastWorkflow, {
    workflowId: `${workflowInfo().workflowId}:citizens`,
    taskQueue: workflowInfo().taskQueue,
    args: [{ ...input.citizens, priority: 'emergency' }],
    parentClosePolicy: ParentClosePolicy.TERMINATE,
  })

  if (input.references && input.kind !== 'alert') {
    for (const closed of new Set([input.references, ...(input.closes ?? [])])) {
      await getExternalWorkflowHandle(`emergency:${tenant}:${closed}`)
        .signal(closeSignal, { by: alertId, kind: input.kind })
        .catch(() => undefined) // it may have finished already
    }
    await timeline('follows', 'follows', 'system', { references: input.references, kind: input.kind })
  }

  // Notices to officials and staff go as the alert's plain template (never the poll's buttons).
  const noticeTemplate = input.escalation?.whatsapp ?? input.citizens.content.whatsapp

  const escalate = async () => {
    const chain = input.escalation
    if (!chain || input.kind === 'cancel') return
    const wait = chain.acknowledgeWithinSeconds * 1000
    for (const [index, official] of chain.officials.entries()) {
      if (acknowledgement || closedBy) break
      escalationStep = index
      phase = 'escalating'
      const sent = await sending.notifyContacts({
        noticeId: uuid4(),
        tenant,
        contacts: [official],
        texts: chain.notice,
        defaultLanguage: chain.defaultLanguage,
        ...(noticeTemplate ? { whatsapp: noticeTemplate } : {}),
      })
      // Refused for good (an invalid number, a permanent provider error): nobody can answer.
      // Histories recorded before this rule waited the full time; `patched` keeps them replaying.
      const refused = sent.accepted === 0 && sent.failed > 0
      const reason = refused ? (sent.reasons ?? []).join(', ') || 'unknown' : undefined
      await timeline(`official-${index}`, 'official-notified', 'system', {
        name: official.name,
        role: official.role,
        channel: official.channel,
        step: index + 1,
        accepted: sent.accepted > 0,
        ...(reason !== undefined ? { reason, movedOn: true } : {}),
      })
      if (refused && patched('escalation-moves-on-when-refused')) continue
      await condition(() => acknowledgement !== undefined || closedBy !== undefined, wait)
    }
    const recordAcknowledgement = async (late: boolean) => {
      const ack = acknowledged()
      if (!ack) return false
      await timeline('acknowledged', 'acknowledged', ack.by, { via: ack.via, at: ack.at, late })
      await steps.recordEmergencyState({ alertId, state: 'active', acknowledgedBy: ack.by, acknowledgedAt: ack.at })
      return true
    }
    if (await recordAcknowledgement(false)) return
    if (closed()) return
    await timeline('escalation-exhausted', 'escalation-exhausted', 'system', { officials: chain.officials.length })
    if (chain.onDuty.length > 0) {
      const sent = await sending.notifyContacts({
        noticeId: uuid4(),
        tenant,
        contacts: chain.onDuty,
        texts: chain.exhaustedNotice,
        defaultLanguage: chain.defaultLanguage,
        ...(noticeTemplate ? { whatsapp: noticeTemplate } : {}),
      })
      await timeline('on-duty-alerted', 'on-duty-alerted', 'system', { names: chain.onDuty.map((c) => c.name), accepted: sent.accepted })
    }
    // An acknowledgement may still come (the staff on duty answer, or an official late).
    await condition(() => acknowledgement !== undefined || closedBy !== undefined)
    await recordAcknowledgement(true)
  }

  const fallbackId = uuid4()
  const fallback = async () => {
    if (!input.smsFallback) return
    const afterMs = input.smsFallbackAfterSeconds * 1000
    let added = 0
    await condition(() => closedBy !== undefined, afterMs)
    if (!closed()) await timeline('sms-fallback-started', 'sms-fallback', 'system', { fallbackId, afterSeconds: input.smsFallbackAfterSeconds })
    for (;;) {
      if (closed()) break
      const pass = await sending.sendSmsFallback({ alertId, fallbackId, tenant, texts: input.smsFallback, defaultLanguage: input.citizens.defaultLanguage, afterMs })
      added = pass.total
      if (pass.retryInMs === undefined) break
      phase = phase === 'sending' ? 'waiting-fallback' : phase
      await condition(() => closedBy !== undefined, pass.retryInMs)
    }
    await timeline('sms-fallback', 'sms-fallback', 'system', { recipients: added, stoppedBy: closed()?.by ?? null })
  }

  /**
   * The safety poll while it is open: every `checkEverySeconds` (longer for a poll open for days) its count; new help requests are
   * told to the staff on duty (they are on the desk already, first in its queue); after
   * `reminderAfterSeconds` those asked who have not answered get the alert again. It closes at
   * `openForSeconds`, or when an update or the all-clear closes the alert.
   */
  const pollWatch = async () => {
    if (!poll) return
    await timeline('poll-opened', 'poll-opened', 'system', { closesAt: new Date(pollClosesAt).toISOString(), reminderAfterSeconds: poll.reminderAfterSeconds ?? null })
    // At most MAX_POLL_CHECKS reads over the poll's life, so a poll open for days keeps its
    // history far from Temporal's limit (each read is a timer and an activity).
    const checkEveryMs = Math.max(poll.checkEverySeconds * 1000, Math.ceil((pollClosesAt - pollOpenedAt) / MAX_POLL_CHECKS))
    const reminderAt = poll.reminderAfterSeconds !== undefined ? pollOpenedAt + poll.reminderAfterSeconds * 1000 : undefined
    let reminder: Promise<void> | undefined
    let notified = 0
    const onDuty = input.escalation?.onDuty ?? []
    for (;;) {
      const now = Date.now()
      const next = Math.min(now + checkEveryMs, pollClosesAt, reminderAt !== undefined && !reminder ? reminderAt : Infinity)
      await condition(() => closedBy !== undefined || (remindBy !== undefined && !reminder), Math.max(1, next - now))
      const tally = await steps.safetyPollTally({ tenant, pollId: alertId })
      if (tally.help > notified) {
        const fresh = tally.help - notified
        notified = tally.help
        let accepted = 0
        if (onDuty.length > 0) {
          const texts = Object.fromEntries(Object.entries(poll.helpNotice).map(([l, t]) => [l, t.replaceAll('{count}', String(fresh)).replaceAll('{total}', String(tally.help))]))
          const sent = await sending.notifyContacts({
            noticeId: uuid4(),
            tenant,
            contacts: onDuty,
            texts,
            defaultLanguage: input.citizens.defaultLanguage,
            ...(noticeTemplate ? { whatsapp: noticeTemplate } : {}),
          })
          accepted = sent.accepted
        }
        await timeline(`poll-help-${tally.help}`, 'poll-help', 'system', { new: fresh, help: tally.help, ok: tally.ok, onDuty: onDuty.map((c) => c.name), accepted })
      }
      if (closed() || Date.now() >= pollClosesAt) break
      if (!reminder && (remindBy !== undefined || (reminderAt !== undefined && Date.now() >= reminderAt))) {
        const requestedBy = remindBy ?? 'system'
        const reminderId = uuid4()
        const child = await startChild(massBroadcastWorkflow, {
          workflowId: `${workflowInfo().workflowId}:poll-reminder`,
          taskQueue: workflowInfo().taskQueue,
          args: [{ ...input.citizens, broadcastId: reminderId, content: poll.reminderContent ?? input.citizens.content, unansweredPoll: alertId, priority: 'emergency', answerable: true }],
          parentClosePolicy: ParentClosePolicy.TERMINATE,
        })
        reminder = child.result().then(async (result) => {
          await timeline('poll-reminder', 'poll-reminder', requestedBy, { reminderId, total: result.total ?? result.counts.processed, ...result.counts })
        })
      }
    }
    await reminder
    await steps.setSafetyPollState({ version: 1, tenant, pollId: alertId, state: 'closed', at: new Date(Date.now()).toISOString() })
    const final = await steps.safetyPollTally({ tenant, pollId: alertId })
    await timeline('poll-closed', 'poll-closed', 'system', { ok: final.ok, help: final.help, helpWaiting: final.helpWaiting, stoppedBy: closed()?.by ?? null })
  }

  const sent = citizens.result().then(async (result) => {
    const counts = await steps.countEmergencyChannels({ sendIds: [alertId] })
    await timeline('citizens-sent', 'citizens-sent', 'system', { total: result.total ?? result.counts.processed, ...result.counts, perChannel: counts })
  })
  await Promise.all([sent, escalate(), fallback(), pollWatch()])

  const close = closed()
  if (close) await timeline('superseded', 'superseded', 'system', { by: close.by, kind: close.kind })
  const perChannel = await steps.countEmergencyChannels({ sendIds: [alertId, fallbackId] })
  // The state first: a timeline that says `closed` never shows beside an alert still active.
  await steps.recordEmergencyState({ alertId, state: 'closed' })
  await timeline('closed', 'closed', 'system', { perChannel, acknowledgedBy: acknowledged()?.by ?? null })
  phase = 'closed'
  return progress()
}
