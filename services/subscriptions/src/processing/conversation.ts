import type { InboundMessage, ModerationAction } from '@banditore/contracts'
import { isOfficeOpen } from '@banditore/platform'
import { addDeskMessage } from '../repositories/desk-message.repository.js'
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
  if (!tenant.officeHours || !isOfficeOpen(tenant.officeHours, tenant.timezone ?? 'Europe/Rome', session.now)) {
    await autoReply(session, 'desk-closed', 'deskClosed', language)
    return 'desk-closed'
  }
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
  })
  await autoReply(session, 'desk-received', 'deskReceived', language)
  return 'desk'
}
