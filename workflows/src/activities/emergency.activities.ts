import { Requests, type BroadcastContent, type EmergencyContact, type SafetyPollStateRequest, type SafetyPollTally, type TimelineKind } from '@banditore/contracts'
import { ApplicationFailure } from '@temporalio/activity'
import { sql } from 'kysely'
import { sendPendingRows } from '../sending/broadcast-send-pipeline.js'
import { recordEmergencyRun, recordTimelineStep } from '../sending/emergency-run.repository.js'
import { countByState, failureReasons, recordRecipients } from '../sending/send-ledger.repository.js'
import { DEFAULT_BROADCAST_SETTINGS, type BroadcastActivityDeps } from './broadcast.activities.js'

export interface TimelineStep {
  alertId: string
  /** Unique per alert: a retried activity records its step once. */
  key: string
  kind: TimelineKind
  actor: string
  detail?: Record<string, unknown>
}

export interface ChannelCounts {
  whatsapp: { sent: number; delivered: number; failed: number }
  sms: { sent: number; delivered: number; failed: number }
}

/**
 * The emergency activities. Every message goes through the send ledger (one row per recipient
 * and send, so a retried activity never sends twice) on the rate limiter's emergency lane.
 */
export function createEmergencyActivities(deps: BroadcastActivityDeps) {
  const { db, logger } = deps
  const settings = { ...DEFAULT_BROADCAST_SETTINGS, ...deps.settings, retryRounds: 3 }
  const tenantOf = (id: string) => {
    const tenant = deps.tenants.get(id)
    if (!tenant) throw ApplicationFailure.nonRetryable(`tenant ${id} is not configured on this worker`, 'BroadcastConfigurationError')
    return tenant
  }

  /** Sends `content` to the ledger rows of `sendId` still pending, emergency first; `answerable`: from the number, so they can reply. */
  const sendPending = async (sendId: string, tenant: string, content: BroadcastContent, defaultLanguage: string, answerable = false) => {
    const rows = await sql<{ id: number; subscriber_id: string; phone: string; channel: 'whatsapp' | 'sms'; language: string; attempts: number }>`
      select id, subscriber_id, phone, channel, language, attempts from worker.send_ledger
      where broadcast_id = ${sendId}::uuid and state = 'pending' order by id`.execute(db)
    const pending = rows.rows.map((r) => ({ id: Number(r.id), subscriberId: r.subscriber_id, phone: r.phone, channel: r.channel, language: r.language, state: 'pending' as const, attempts: r.attempts }))
    if (pending.length === 0) return
    const message = { broadcastId: sendId, tenant: tenantOf(tenant), content, defaultLanguage, priority: 'emergency' as const, answerable }
    await sendPendingRows(deps, settings, message, pending, () => undefined)
  }

  const channelCounts = async (sendIds: readonly string[]): Promise<ChannelCounts> => {
    const { rows } = await sql<{ channel: 'whatsapp' | 'sms'; state: string; n: number }>`
      select channel, state, count(*)::int as n from worker.send_ledger
      where broadcast_id = any(${sendIds as string[]}::uuid[]) group by channel, state`.execute(db)
    const counts: ChannelCounts = { whatsapp: { sent: 0, delivered: 0, failed: 0 }, sms: { sent: 0, delivered: 0, failed: 0 } }
    for (const r of rows) {
      const c = counts[r.channel]
      if (['accepted', 'sent', 'delivered', 'read'].includes(r.state)) c.sent += r.n
      if (['delivered', 'read'].includes(r.state)) c.delivered += r.n
      if (r.state === 'failed') c.failed += r.n
    }
    return counts
  }

  return {
    async recordEmergencyTimeline(step: TimelineStep): Promise<void> {
      await recordTimelineStep(db, step)
    },

    /** Where the alert's run stands; the staff API asks for it (worker.emergency.timeline). */
    async recordEmergencyState(input: { alertId: string; state: 'active' | 'closed'; acknowledgedBy?: string; acknowledgedAt?: string }): Promise<void> {
      await recordEmergencyRun(db, input)
    },

    /**
     * Notifies contacts (officials, staff on duty) under the send `noticeId`: each once, whatever
     * retries happen. SMS contacts get the text; WhatsApp contacts the alert's template with the
     * notice as its text. Returns how many were accepted by the provider, how many it refused
     * for good, and why (the ledger's reasons: `invalid-number`, `whatsapp:131026`, ...; never
     * the number itself), so the escalation moves on at once from a number that cannot answer.
     */
    async notifyContacts(input: {
      noticeId: string
      tenant: string
      contacts: EmergencyContact[]
      texts: Record<string, string>
      defaultLanguage: string
      whatsapp?: BroadcastContent['whatsapp']
    }): Promise<{ accepted: number; failed: number; reasons: string[] }> {
      await recordRecipients(
        db,
        input.noticeId,
        input.tenant,
        input.contacts.map((c) => ({ subscriberId: `contact:${c.phone}`, phone: c.phone, channel: c.channel, language: c.language ?? input.defaultLanguage })),
      )
      const whatsapp = input.whatsapp && {
        templateName: input.whatsapp.templateName,
        variants: Object.fromEntries(
          Object.entries(input.whatsapp.variants).map(([language, variant]) => [
            language,
            { code: variant.code, bodyParameters: [variant.bodyParameters[0] ?? '', input.texts[language] ?? input.texts[input.defaultLanguage] ?? ''] },
          ]),
        ),
      }
      // Officials acknowledge by answering: never from the tenant's alphanumeric sender ID.
      await sendPending(input.noticeId, input.tenant, { sms: { texts: input.texts }, ...(whatsapp ? { whatsapp } : {}) }, input.defaultLanguage, true)
      const byState = await countByState(db, input.noticeId)
      const accepted = (byState.accepted ?? 0) + (byState.sent ?? 0) + (byState.delivered ?? 0) + (byState.read ?? 0)
      const failed = byState.failed ?? 0
      const reasons = failed > 0 ? await failureReasons(db, input.noticeId) : []
      if (failed > 0) logger.info({ tenant: input.tenant, noticeId: input.noticeId, failed, reasons }, 'emergency notice refused for good')
      return { accepted, failed, reasons }
    },

    /**
     * The SMS fallback: citizens whose WhatsApp alert (send `alertId`) has no delivered or read
     * status `afterMs` after it was accepted (or that WhatsApp refused) get `texts` by SMS, under
     * the send `fallbackId`, each once. Returns how many were added now and, while WhatsApp sends
     * are still too recent or unsettled, when to look again.
     */
    async sendSmsFallback(input: {
      alertId: string
      fallbackId: string
      tenant: string
      texts: Record<string, string>
      defaultLanguage: string
      afterMs: number
    }): Promise<{ added: number; total: number; retryInMs?: number }> {
      const { rows } = await sql<{ subscriber_id: string; phone: string; language: string }>`
        select l.subscriber_id, l.phone, l.language from worker.send_ledger l
        where l.broadcast_id = ${input.alertId}::uuid and l.channel = 'whatsapp'
          -- a WhatsApp username-only citizen's address is a BSUID: no number to text
          and l.phone like '+%'
          and (l.state = 'failed' or (l.state in ('accepted', 'sent') and l.accepted_at < now() - make_interval(secs => ${input.afterMs / 1000})))
          and not exists (select 1 from worker.send_ledger f where f.broadcast_id = ${input.fallbackId}::uuid and f.phone = l.phone)`.execute(db)
      const added = await recordRecipients(
        db,
        input.fallbackId,
        input.tenant,
        rows.map((r) => ({ subscriberId: r.subscriber_id, phone: r.phone, channel: 'sms' as const, language: r.language })),
      )
      await sendPending(input.fallbackId, input.tenant, { sms: { texts: input.texts } }, input.defaultLanguage)
      // What may still need the fallback: WhatsApp sends not yet settled or not yet old enough.
      const next = await sql<{ wait_ms: number | null; unsettled: number }>`
        select
          (extract(epoch from (min(accepted_at) filter (where state in ('accepted', 'sent')) + make_interval(secs => ${input.afterMs / 1000}) - now())) * 1000)::float8 as wait_ms,
          (count(*) filter (where state in ('pending', 'sending')))::int as unsettled
        from worker.send_ledger l
        where l.broadcast_id = ${input.alertId}::uuid and l.channel = 'whatsapp' and l.phone like '+%'
          and not exists (select 1 from worker.send_ledger f where f.broadcast_id = ${input.fallbackId}::uuid and f.phone = l.phone)`.execute(db)
      const { wait_ms: waitMs, unsettled } = next.rows[0] ?? { wait_ms: null, unsettled: 0 }
      const total = Number((await sql<{ n: number }>`select count(*)::int as n from worker.send_ledger where broadcast_id = ${input.fallbackId}::uuid`.execute(db)).rows[0]?.n ?? 0)
      const retryInMs = waitMs !== null ? Math.max(250, Math.ceil(waitMs)) : unsettled > 0 ? 2000 : undefined
      if (added.length > 0) logger.info({ tenant: input.tenant, alertId: input.alertId, added: added.length }, 'emergency SMS fallback sent')
      return { added: added.length, total, ...(retryInMs !== undefined ? { retryInMs } : {}) }
    },

    /**
     * Opens or closes the alert's safety poll in subscriptions (which reads the citizens'
     * answers). No answer is an outage: thrown, so Temporal retries; a refusal of the request
     * itself (unknown tenant, outside the contract) is not retried.
     */
    async setSafetyPollState(request: SafetyPollStateRequest): Promise<void> {
      const kind = Requests.safetyPollState
      const reply = kind.reply.decode((await deps.nc.request(kind.subject, kind.request.encode(request), { timeout: 10_000 })).data)
      if (!reply.ok) {
        const message = `subscriptions refused the poll ${request.state}: ${reply.error?.code} ${reply.error?.message}`
        if (reply.error?.code === 'INTERNAL') throw new Error(message)
        throw ApplicationFailure.nonRetryable(message, 'BroadcastConfigurationError')
      }
      logger.info({ tenant: request.tenant, pollId: request.pollId, state: request.state }, 'safety poll state set')
    },

    /** The poll's count, from subscriptions. */
    async safetyPollTally(input: { tenant: string; pollId: string }): Promise<SafetyPollTally> {
      const kind = Requests.safetyPollTally
      const reply = kind.reply.decode((await deps.nc.request(kind.subject, kind.request.encode({ version: 1, ...input }), { timeout: 10_000 })).data)
      if (reply.error) throw new Error(`subscriptions could not count the poll: ${reply.error.code} ${reply.error.message}`)
      return reply
    },

    /** Messages of the alert per channel (the citizens' send and its SMS fallback). */
    async countEmergencyChannels(input: { sendIds: string[] }): Promise<ChannelCounts> {
      return await channelCounts(input.sendIds)
    },
  }
}
