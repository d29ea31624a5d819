import type { DeskAnswerResult, SenderActionResult } from '@banditore/contracts'
import { CUSTOMER_SERVICE_WINDOW_MS } from '@banditore/providers'
import { findDeskMessage, recordDeskAnswer } from '../repositories/desk-message.repository.js'
import { enqueueReply } from '../repositories/outbox.repository.js'
import { findSubscriber } from '../repositories/subscriber.repository.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import { HttpProblem } from '../routes/http-problem.js'
import { CitizenSession } from './citizen-session.js'
import { unsubscribe } from './subscription-commands.js'
import type { ProcessingDeps } from './verdict-handler.js'

export type StaffDeps = Pick<ProcessingDeps, 'db' | 'hashPhone' | 'clock'>

function result(session: CitizenSession, changed: boolean): SenderActionResult {
  const row = session.subscriber!
  return { tenant: session.tenant, subscriberId: row.id, status: row.status, blocked: Boolean(row.blocked_at), changed }
}

/** Blocks a sender: their messages are no longer processed, except an unsubscribe. */
export async function blockSender(deps: StaffDeps, profile: TenantProfile, phone: string, actor: string, reason: string): Promise<SenderActionResult> {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const session = await CitizenSession.open(trx, profile, phone, now, { actor }, deps.hashPhone)
    const row = await session.ensure(profile.defaultLanguage, profile.deliveryChannel('web'))
    if (row.blocked_at) return result(session, false)
    await session.change('blocked', { blocked_at: now, blocked_by: actor, blocked_reason: reason })
    return result(session, true)
  })
}

export async function unblockSender(deps: StaffDeps, profile: TenantProfile, phone: string, actor: string): Promise<SenderActionResult> {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const session = await CitizenSession.open(trx, profile, phone, now, { actor }, deps.hashPhone)
    if (!session.subscriber) throw new HttpProblem(404, 'SENDER_UNKNOWN', 'no citizen with this number')
    if (!session.subscriber.blocked_at) return result(session, false)
    await session.change('unblocked', { blocked_at: null, blocked_by: null, blocked_reason: null })
    return result(session, true)
  })
}

/**
 * Removes a subscriber ex officio (a municipality's policy allows it for misuse). Recorded in
 * the consent ledger as a withdrawal by staff, with the reason. No message is sent: outside the
 * 24-hour window WhatsApp would refuse it.
 */
export async function removeSubscriber(deps: StaffDeps, profile: TenantProfile, phone: string, actor: string, reason: string): Promise<SenderActionResult> {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const session = await CitizenSession.open(trx, profile, phone, now, { actor }, deps.hashPhone)
    if (!session.subscriber) throw new HttpProblem(404, 'SUBSCRIBER_UNKNOWN', 'no subscriber with this number')
    const outcome = await unsubscribe(session, { language: session.subscriber.language, door: 'staff', evidenceText: null, reason: `ex officio: ${reason}`, confirm: false })
    return result(session, outcome === 'unsubscribed')
  })
}

/**
 * Answers a desk message with an OutboundReply on the channel it came from. One answer per
 * message; on WhatsApp only within 24 hours of the citizen's last message (free text is not
 * allowed after that), which the API refuses up front rather than letting the send fail.
 */
export async function answerDeskMessage(deps: StaffDeps, profile: TenantProfile, deskMessageId: string, actor: string, text: string): Promise<DeskAnswerResult> {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const desk = await findDeskMessage(trx, profile.id, deskMessageId)
    if (!desk) throw new HttpProblem(404, 'DESK_MESSAGE_UNKNOWN', `no desk message ${deskMessageId}`)
    if (desk.status === 'answered') throw new HttpProblem(409, 'DESK_MESSAGE_ANSWERED', 'this message has already been answered')
    const subscriber = await findSubscriber(trx, profile.id, desk.phone)
    const lastInbound = [desk.received_at, subscriber?.last_inbound_at].filter((d): d is Date => d instanceof Date).sort((a, b) => b.getTime() - a.getTime())[0]!
    if (desk.channel === 'whatsapp' && now.getTime() - lastInbound.getTime() > CUSTOMER_SERVICE_WINDOW_MS) {
      throw new HttpProblem(422, 'WINDOW_CLOSED', 'the citizen last wrote more than 24 hours ago: WhatsApp allows no free-text answer now')
    }
    const replyId = `desk:${desk.id}:answer`
    await enqueueReply(
      trx,
      {
        version: 1,
        id: replyId,
        tenant: profile.id,
        channel: desk.channel,
        to: desk.phone,
        text,
        inReplyTo: desk.inbound_message_id,
        lastInboundAt: lastInbound.toISOString(),
        requestedAt: now.toISOString(),
      },
      now,
    )
    await recordDeskAnswer(trx, desk.id, { answeredAt: now, answeredBy: actor, text, replyId })
    return { deskMessageId: desk.id, replyId, answeredAt: now.toISOString() }
  })
}
