import type { InboundMessage, ModerationAction } from '@banditore/contracts'
import { bumpDeskRevision } from '../repositories/desk-console.repository.js'
import { addDeskMessage } from '../repositories/desk-message.repository.js'
import { isDeskOpen, loadOfficeOverrides } from '../tenant/desk-calendar.js'
import type { TextKey } from '../tenant/tenant-texts.js'
import type { CitizenSession } from './citizen-session.js'

export type ConversationOutcome = 'desk' | 'desk-closed' | 'auto-reply' | 'auto-reply-suppressed'

/**
 * Sends an automatic answer at most once per sender per the tenant's interval
 * (autoReplyIntervalHours), so a chatty sender does not get a reply to every message.
 */
async function autoReply(session: CitizenSession, purpose: string, key: TextKey, language: string): Promise<boolean> {
  const last = session.subscriber?.last_auto_reply_at
  if (last && session.now.getTime() - last.getTime() < session.profile.autoReplyIntervalMs()) return false
  const id = await session.replyWith(purpose, key, language)
  if (!id) return false
  await session.touch({ last_auto_reply_at: session.now })
  return true
}

/**
 * Anything a citizen writes that is not a command. A unidirectional tenant answers with the
 * auto-reply pointing to its real channels. A desk tenant (Ancona) queues a subscriber's
 * message for staff inside office hours and answers with the hours outside them; someone not
 * subscribed is told how to join the desk.
 */
export async function converse(session: CitizenSession, message: InboundMessage, moderation: ModerationAction): Promise<ConversationOutcome> {
  const profile = session.profile
  const tenant = profile.tenant
  const language = profile.language(session.subscriber?.language)
  if (tenant.mode !== 'desk' || !session.isActive) {
    return (await autoReply(session, 'auto-reply', 'autoReply', language)) ? 'auto-reply' : 'auto-reply-suppressed'
  }
  if (!(await deskOpenNow(session))) {
    await autoReply(session, 'desk-closed', 'deskClosed', language)
    return 'desk-closed'
  }
  await queueForDesk(session, message, moderation, language)
  await autoReply(session, 'desk-received', 'deskReceived', language)
  return 'desk'
}

/** The weekly hours with the tenant's extraordinary closures and openings (set from the console). */
async function deskOpenNow(session: CitizenSession): Promise<boolean> {
  const tenant = session.profile.tenant
  const overrides = await loadOfficeOverrides(session.trx, tenant.id, session.now)
  return isDeskOpen(tenant.officeHours, tenant.timezone ?? 'Europe/Rome', overrides, session.now)
}

/** Puts the citizen's message on the desk, open; `urgent` (a safety poll's help request) lists it first. */
export async function queueForDesk(session: CitizenSession, message: InboundMessage, moderation: ModerationAction, language: string, urgent = false): Promise<void> {
  const tenant = session.profile.tenant
  const channel = message.channel === 'sms' ? 'sms' : 'whatsapp'
  await addDeskMessage(session.trx, {
    tenant: tenant.id,
    subscriber_id: session.subscriber!.id,
    phone: session.phone,
    inbound_message_id: message.id,
    channel,
    language,
    text: message.text ?? message.interactive?.title ?? null,
    media: JSON.stringify((message.media ?? []).map((m) => ({ kind: m.kind, ref: m.ref, ...(m.caption ? { caption: m.caption } : {}) }))),
    moderation,
    received_at: new Date(message.receivedAt),
    status: 'open',
    answered_at: null,
    answered_by: null,
    answer_text: null,
    answer_reply_id: null,
    redacted_at: null,
    ...(urgent ? { urgent: true } : {}),
  })
  await bumpDeskRevision(session.trx, tenant.id, session.now)
}

/**
 * A message moderation deleted, from a desk subscriber inside office hours: kept on the desk,
 * answered already (nobody owes it an answer) and hidden from all but the roles that review
 * moderation; the citizen gets nothing back.
 */
export async function keepDeletedForReview(session: CitizenSession, message: InboundMessage): Promise<void> {
  const profile = session.profile
  if (profile.tenant.mode !== 'desk' || !session.isActive || session.isBlocked) return
  if (!(await deskOpenNow(session))) return
  await queueForDesk(session, message, 'delete', profile.language(session.subscriber?.language))
  await session.trx
    .updateTable('desk_message')
    .set({ status: 'answered', answered_at: session.now, answered_by: 'moderation' })
    .where('inbound_message_id', '=', message.id)
    .execute()
}
