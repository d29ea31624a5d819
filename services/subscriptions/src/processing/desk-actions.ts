import { randomUUID } from 'node:crypto'
import type { WhatsappTemplate } from '@banditore/contracts'
import { CUSTOMER_SERVICE_WINDOW_MS } from '@banditore/providers'
import { HttpProblem } from '../routes/http-problem.js'
import { recordDeskAction } from '../repositories/desk-console.repository.js'
import { enqueueReply } from '../repositories/outbox.repository.js'
import type { Subscriber } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import type { StaffDeps } from './staff-actions.js'

type Trx = StaffDeps['db']

/** An answer: free text (inside WhatsApp's 24-hour window, or on SMS) or an approved template. */
export type DeskAnswerInput = { text: string } | { template: { name: string; parameters: string[] } }

export interface ConversationWindow {
  /** When the citizen last wrote. */
  lastInboundAt: Date
  /** WhatsApp: when free text stops being allowed (24 h after it); SMS: null (no window). */
  endsAt: Date | null
  open: boolean
}

/** The 24-hour customer-service window of a conversation, from the citizen's last inbound message. */
export function conversationWindow(channel: 'whatsapp' | 'sms', lastMessageAt: Date, subscriber: Subscriber, now: Date): ConversationWindow {
  const last = [lastMessageAt, subscriber.last_inbound_at].filter((d): d is Date => d instanceof Date).sort((a, b) => b.getTime() - a.getTime())[0]!
  if (channel !== 'whatsapp') return { lastInboundAt: last, endsAt: null, open: true }
  const endsAt = new Date(last.getTime() + CUSTOMER_SERVICE_WINDOW_MS)
  return { lastInboundAt: last, endsAt, open: now.getTime() < endsAt.getTime() }
}

/** A template as the console offers it for a citizen: in their language, or the tenant's first. */
export function templateFor(profile: TenantProfile, template: WhatsappTemplate, language: string) {
  const variant = template.languages[language] ?? template.languages[profile.defaultLanguage] ?? Object.values(template.languages)[0]
  return variant ? { name: template.name, label: template.label, parameters: template.parameters, languageCode: variant.code, body: variant.body } : null
}

export function renderTemplate(body: string, parameters: readonly string[]): string {
  return body.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => parameters[Number(n) - 1] ?? whole)
}

export interface Conversation {
  subscriber: Subscriber
  channel: 'whatsapp' | 'sms'
  lastMessageAt: Date
  lastInboundMessageId: string
}

/** The conversation with a citizen (locked in the caller's transaction), or a 404. */
export async function openConversation(trx: Trx, tenant: string, subscriberId: string): Promise<Conversation> {
  const subscriber = await trx.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('id', '=', subscriberId).forUpdate().executeTakeFirst()
  const last = subscriber
    ? await trx
        .selectFrom('desk_message')
        .select(['channel', 'received_at', 'inbound_message_id'])
        .where('tenant', '=', tenant)
        .where('subscriber_id', '=', subscriberId)
        .orderBy('received_at', 'desc')
        .limit(1)
        .executeTakeFirst()
    : undefined
  if (!subscriber || !last) throw new HttpProblem(404, 'CONVERSATION_UNKNOWN', `no desk conversation ${subscriberId}`)
  return { subscriber, channel: last.channel, lastMessageAt: last.received_at, lastInboundMessageId: last.inbound_message_id }
}

/**
 * Sends staff's answer in a conversation and marks its waiting messages answered. Free text only
 * inside WhatsApp's window (422 WINDOW_CLOSED after it); outside, one of the tenant's approved
 * templates with every parameter filled, sent as a template. Nothing that the provider would
 * refuse is queued: a stopped channel (131050) is refused too.
 */
export async function answerConversation(deps: StaffDeps, profile: TenantProfile, subscriberId: string, actor: string, input: DeskAnswerInput) {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    const conversation = await openConversation(trx, profile.id, subscriberId)
    const { subscriber, channel } = conversation
    const window = conversationWindow(channel, conversation.lastMessageAt, subscriber, now)
    if (subscriber.channel_stopped_at && subscriber.channel === channel) {
      throw new HttpProblem(422, 'CHANNEL_STOPPED', 'il cittadino ha bloccato i messaggi del Comune su questo canale: la risposta non può essere consegnata')
    }
    let text: string
    let template: { name: string; languageCode: string; bodyParameters: string[] } | undefined
    if ('text' in input) {
      if (!window.open) throw new HttpProblem(422, 'WINDOW_CLOSED', 'il cittadino ha scritto più di 24 ore fa: WhatsApp non consente ora una risposta libera, usa un modello approvato')
      text = input.text
    } else {
      if (channel !== 'whatsapp') throw new HttpProblem(422, 'TEMPLATE_NOT_ON_SMS', 'i modelli WhatsApp non si usano per gli SMS: rispondi con un testo')
      const known = (profile.tenant.whatsappTemplates ?? []).find((t) => t.name === input.template.name)
      const offered = known ? templateFor(profile, known, profile.language(subscriber.language)) : null
      if (!known || !offered) throw new HttpProblem(422, 'TEMPLATE_UNKNOWN', `il modello ${input.template.name} non è tra quelli approvati per il Comune`)
      const parameters = input.template.parameters.map((p) => p.trim())
      if (parameters.length !== known.parameters.length || parameters.some((p) => p.length === 0)) {
        throw new HttpProblem(422, 'TEMPLATE_PARAMETERS', `il modello ${known.label} richiede ${known.parameters.length} parametri, tutti compilati`)
      }
      text = renderTemplate(offered.body, parameters)
      template = { name: known.name, languageCode: offered.languageCode, bodyParameters: parameters }
    }
    const replyId = `desk:${subscriberId}:${randomUUID()}`
    await enqueueReply(
      trx,
      {
        version: 1,
        id: replyId,
        tenant: profile.id,
        channel,
        to: subscriber.phone,
        text,
        inReplyTo: conversation.lastInboundMessageId,
        lastInboundAt: window.lastInboundAt.toISOString(),
        ...(template ? { template } : {}),
        requestedAt: now.toISOString(),
      },
      now,
    )
    await trx
      .insertInto('desk_answer')
      .values({ tenant: profile.id, subscriber_id: subscriberId, reply_id: replyId, channel, text, template: template ? JSON.stringify(template) : null, sent_by: actor, sent_at: now })
      .execute()
    const answered = await markOpenAnswered(trx, profile.id, subscriberId, actor, now)
    await recordDeskAction(trx, { tenant: profile.id, actor, action: 'answered', subscriberId, detail: { replyId, messages: answered, ...(template ? { template: template.name } : {}) }, at: now })
    return { replyId, answeredAt: now.toISOString(), text, template: template?.name ?? null }
  })
}

async function markOpenAnswered(trx: Trx, tenant: string, subscriberId: string, actor: string, now: Date): Promise<number> {
  const result = await trx
    .updateTable('desk_message')
    .set({ status: 'answered', answered_at: now, answered_by: actor })
    .where('tenant', '=', tenant)
    .where('subscriber_id', '=', subscriberId)
    .where('status', '=', 'open')
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** Marks what waits in a conversation answered without sending anything (answered by phone, at the counter…). */
export async function markConversationAnswered(deps: StaffDeps, profile: TenantProfile, subscriberId: string, actor: string) {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    await openConversation(trx, profile.id, subscriberId)
    const answered = await markOpenAnswered(trx, profile.id, subscriberId, actor, now)
    await recordDeskAction(trx, { tenant: profile.id, actor, action: 'marked-answered', subscriberId, detail: { messages: answered }, at: now })
    return { messages: answered }
  })
}

/** Puts a person in charge of a conversation (null: nobody). */
export async function assignConversation(deps: StaffDeps, profile: TenantProfile, subscriberId: string, actor: string, assignee: string | null) {
  const now = deps.clock()
  return await deps.db.transaction().execute(async (trx) => {
    await openConversation(trx, profile.id, subscriberId)
    await trx
      .insertInto('desk_conversation')
      .values({ tenant: profile.id, subscriber_id: subscriberId, assigned_to: assignee, assigned_at: assignee ? now : null, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant', 'subscriber_id']).doUpdateSet({ assigned_to: assignee, assigned_at: assignee ? now : null, updated_at: now }))
      .execute()
    await recordDeskAction(trx, { tenant: profile.id, actor, action: assignee ? 'assigned' : 'unassigned', subscriberId, detail: { assignee }, at: now })
    return { assignedTo: assignee }
  })
}

