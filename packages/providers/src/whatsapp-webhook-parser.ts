import { isBsuid, type InboundMessage } from '@banditore/contracts'
import { Compile } from 'typebox/compile'
import { e164FromProviderDigits } from './phone-number.js'
import type {
  DeliveryStatusEvent,
  InboundMessageEvent,
  ParsedWebhook,
  ProviderEndpoint,
  ProviderErrorEntry,
  NoticeWebhookItem,
  RejectedWebhookItem,
} from './provider-events.js'
import { classifyWhatsAppErrorCode } from './whatsapp-error-classifier.js'
import {
  WhatsAppWebhookEnvelopeSchema,
  WhatsAppWebhookMessageSchema,
  WhatsAppWebhookStatusSchema,
  WhatsAppWebhookValueSchema,
  type WhatsAppWebhookError,
  type WhatsAppWebhookMedia,
  type WhatsAppWebhookMessage,
  type WhatsAppWebhookValue,
} from './whatsapp-webhook-schema.js'
import { WebhookPayloadError } from './webhook-payload-error.js'

const envelopeValidator = Compile(WhatsAppWebhookEnvelopeSchema)
const valueValidator = Compile(WhatsAppWebhookValueSchema)
const messageValidator = Compile(WhatsAppWebhookMessageSchema)
const statusValidator = Compile(WhatsAppWebhookStatusSchema)

/**
 * Meta's status names by delivery state. `played` (a voice message the citizen listened to)
 * implies it was read, so it counts as `read` (the provider state keeps `played`).
 */
const STATES = { sent: 'sent', delivered: 'delivered', read: 'read', played: 'read', failed: 'failed' } as const
/**
 * Statuses Meta sends that are no delivery state of our message: `deleted` (the message was
 * deleted on WhatsApp). Understood and counted, never unroutable.
 */
const NOTICES = new Set(['deleted'])
const MEDIA_KINDS = ['image', 'document', 'audio', 'video', 'sticker'] as const

export interface ParseWebhookOptions {
  /** When ingest received the webhook. Default now. */
  readonly receivedAt?: Date
}

const nfc = (text: string | undefined) => (text === undefined ? undefined : text.normalize('NFC'))
const isoFromUnix = (timestamp: string | number) => new Date(Number(timestamp) * 1000).toISOString()
/** Drops keys whose value is undefined: contract objects are closed and optional means absent. */
const defined = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T

function errorEntry(error: WhatsAppWebhookError): ProviderErrorEntry {
  const detail = error.error_data?.details ?? error.details
  return {
    code: String(error.code),
    ...(error.title ?? error.message ? { title: error.title ?? error.message } : {}),
    ...(detail ? { detail } : {}),
  }
}

function mediaReference(kind: (typeof MEDIA_KINDS)[number], media: WhatsAppWebhookMedia) {
  return {
    kind,
    ref: media.id,
    ...(media.mime_type ? { mimeType: media.mime_type } : {}),
    ...(media.caption ? { caption: nfc(media.caption) } : {}),
    ...(media.filename ? { filename: media.filename } : {}),
  }
}

type Content = Pick<InboundMessage, 'type' | 'text' | 'interactive' | 'media' | 'location' | 'reaction'>
type Extras = InboundMessageEvent['extras']

/** The contract's content fields for one Meta message, plus what the contract cannot hold. */
function contentOf(message: WhatsAppWebhookMessage): { content: Content; extras: Extras } {
  const errors = message.errors?.map(errorEntry)
  const withErrors = (extras: Extras): Extras => (errors?.length ? { ...extras, errors } : extras)
  switch (message.type) {
    case 'text':
      if (message.text) return { content: { type: 'text', text: nfc(message.text.body) }, extras: withErrors({}) }
      break
    case 'interactive': {
      const reply = message.interactive?.button_reply ?? message.interactive?.list_reply
      if (reply) {
        const kind = message.interactive?.button_reply ? 'button' : 'list'
        const title = nfc(reply.title) ?? ''
        return { content: { type: 'interactive', text: title, interactive: { kind, id: reply.id, title } }, extras: withErrors({}) }
      }
      break
    }
    case 'button':
      // Legacy quick-reply button of a template: payload is the id we set, text its label.
      if (message.button) {
        const title = nfc(message.button.text) ?? ''
        return {
          content: { type: 'interactive', text: title, interactive: { kind: 'button', id: message.button.payload ?? title, title } },
          extras: withErrors({}),
        }
      }
      break
    case 'location':
      if (message.location) {
        const { latitude, longitude, name, address } = message.location
        return {
          content: {
            type: 'location',
            location: { latitude, longitude, ...(name ? { name: nfc(name) } : {}), ...(address ? { address: nfc(address) } : {}) },
          },
          extras: withErrors({}),
        }
      }
      break
    case 'reaction':
      if (message.reaction) {
        // No emoji: the citizen removed the reaction.
        const { message_id: messageId, emoji } = message.reaction
        return { content: { type: 'reaction', reaction: { messageId, ...(emoji ? { emoji } : {}) } }, extras: withErrors({}) }
      }
      break
    case 'contacts':
      if (message.contacts) {
        const contacts = message.contacts.map((card) => ({
          ...(card.name?.formatted_name ? { name: nfc(card.name.formatted_name) } : {}),
          phones: (card.phones ?? []).flatMap((phone) => {
            try {
              return [e164FromProviderDigits(phone.wa_id ?? phone.phone ?? '')]
            } catch {
              return []
            }
          }),
        }))
        return { content: { type: 'contacts' }, extras: withErrors({ contacts }) }
      }
      break
    case 'system':
      if (message.system) {
        const newId = message.system.wa_id ?? message.system.new_wa_id
        let newNumber: string | undefined
        try {
          newNumber = newId ? e164FromProviderDigits(newId) : undefined
        } catch {
          newNumber = undefined
        }
        return {
          content: { type: 'system', text: nfc(message.system.body) },
          extras: withErrors({ system: { type: message.system.type ?? 'unknown', ...(newNumber ? { newNumber } : {}) } }),
        }
      }
      break
    default: {
      const kind = MEDIA_KINDS.find((k) => k === message.type)
      const media = kind ? message[kind] : undefined
      if (kind && media) {
        return { content: { type: kind, text: nfc(media.caption), media: [mediaReference(kind, media)] }, extras: withErrors({}) }
      }
    }
  }
  // `unsupported`, the older `unknown`, and types the contract has no place for (order, flows...).
  const providerType = message.type === 'unsupported' ? (message.unsupported?.type ?? 'unsupported') : message.type
  return { content: { type: 'unsupported' }, extras: withErrors({ providerType }) }
}

function parseMessage(
  raw: unknown,
  value: WhatsAppWebhookValue,
  receiver: ProviderEndpoint,
  receivedAt: string,
): InboundMessageEvent | RejectedWebhookItem {
  if (!messageValidator.Check(raw)) {
    const first = messageValidator.Errors(raw)[0]
    return { reason: `message ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`.trim(), to: receiver.number, item: raw }
  }
  const message = raw
  // A citizen who adopted a WhatsApp username may come with no number: only `from_user_id`, their
  // business-scoped user id (BSUID), which then is their address (Meta, "Business-scoped user IDs":
  // from/wa_id may be omitted, the BSUID is always there; see BsuidSchema).
  const userId = message.from_user_id !== undefined && isBsuid(message.from_user_id) ? message.from_user_id : undefined
  if (message.from_user_id !== undefined && userId === undefined) {
    return { reason: 'message from_user_id is not a business-scoped user id', to: receiver.number, item: raw }
  }
  let from: string
  if (message.from !== undefined) {
    try {
      from = e164FromProviderDigits(message.from)
    } catch {
      return { reason: 'message sender is not a phone number', to: receiver.number, item: raw }
    }
  } else if (userId !== undefined) {
    from = userId
  } else {
    return { reason: 'message has neither from nor from_user_id', to: receiver.number, item: raw }
  }
  const { content, extras } = contentOf(message)
  const contact =
    value.contacts?.find((c) => (message.from !== undefined && c.wa_id === message.from) || (userId !== undefined && c.user_id === userId)) ??
    value.contacts?.[0]
  const profileName = contact?.profile?.name
  const newUserId = message.system?.new_user_id ?? message.system?.user_id
  const referral = message.referral
  return {
    kind: 'message',
    receiver,
    message: defined({
      id: `whatsapp-cloud:${message.id}`,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: message.id,
      from,
      ...(userId ? { fromUserId: userId } : {}),
      to: receiver.number,
      ...(profileName ? { profileName: nfc(profileName) } : {}),
      ...content,
      ...(message.context?.id ? { replyTo: message.context.id } : {}),
      sentAt: isoFromUnix(message.timestamp),
      receivedAt,
    }),
    extras: {
      ...extras,
      ...(referral ? { referral } : {}),
      ...(extras.system && newUserId !== undefined && isBsuid(newUserId) ? { system: { ...extras.system, newUserId } } : {}),
    },
  }
}

function parseStatus(raw: unknown, sender: ProviderEndpoint, receivedAt: string): DeliveryStatusEvent | NoticeWebhookItem | RejectedWebhookItem {
  if (!statusValidator.Check(raw)) {
    const first = statusValidator.Errors(raw)[0]
    return { reason: `status ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`.trim(), to: sender.number, item: raw }
  }
  if (NOTICES.has(raw.status)) return { providerState: raw.status, providerMessageId: raw.id, sender }
  const state = STATES[raw.status as keyof typeof STATES]
  if (!state) return { reason: `status "${raw.status}" is not a delivery state`, to: sender.number, item: raw }
  // A send to a BSUID may come back with only `recipient_user_id` (Meta, "Business-scoped user IDs").
  let recipient: string
  if (raw.recipient_id !== undefined) {
    try {
      recipient = e164FromProviderDigits(raw.recipient_id)
    } catch {
      return { reason: 'status recipient is not a phone number', to: sender.number, item: raw }
    }
  } else if (raw.recipient_user_id !== undefined && isBsuid(raw.recipient_user_id)) {
    recipient = raw.recipient_user_id
  } else {
    return { reason: 'status has no readable recipient', to: sender.number, item: raw }
  }
  const firstError = raw.errors?.[0]
  const error = firstError ? errorEntry(firstError) : undefined
  return {
    kind: 'status',
    sender,
    providerState: raw.status,
    status: {
      id: `whatsapp-cloud:${raw.id}:${state}`,
      channel: 'whatsapp',
      provider: 'whatsapp-cloud',
      providerMessageId: raw.id,
      state,
      recipient,
      ...(raw.biz_opaque_callback_data ? { correlation: raw.biz_opaque_callback_data } : {}),
      ...(error ? { error } : {}),
      occurredAt: isoFromUnix(raw.timestamp),
      receivedAt,
    },
    ...(state === 'failed' ? { errorKind: (firstError ? classifyWhatsAppErrorCode(firstError.code) : undefined) ?? 'permanent' } : {}),
  }
}

const utf8 = new TextDecoder()

function decodeBody(body: unknown): unknown {
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      return JSON.parse(typeof body === 'string' ? body : utf8.decode(body))
    } catch (cause) {
      throw new WebhookPayloadError('whatsapp-cloud', [{ path: '', message: 'is not valid JSON' }], { cause })
    }
  }
  return body
}

/**
 * Parses a Cloud API webhook POST (every entry, every change): citizen messages, delivery
 * statuses and webhook-level errors, provider-neutral. Items that cannot be read are returned
 * in `rejected`, never dropped. Throws WebhookPayloadError when the body is not a Cloud API
 * webhook at all. Verify the signature first, on the raw bytes.
 */
export function parseWhatsAppWebhook(body: unknown, options: ParseWebhookOptions = {}): ParsedWebhook {
  const payload = decodeBody(body)
  if (!envelopeValidator.Check(payload)) {
    throw new WebhookPayloadError(
      'whatsapp-cloud',
      envelopeValidator.Errors(payload).map((e) => ({ path: e.instancePath, message: e.message })),
    )
  }
  const receivedAt = (options.receivedAt ?? new Date()).toISOString()
  const messages: InboundMessageEvent[] = []
  const statuses: DeliveryStatusEvent[] = []
  const errors: Array<ParsedWebhook['errors'][number]> = []
  const rejected: RejectedWebhookItem[] = []
  const notices: NoticeWebhookItem[] = []

  for (const entry of payload.entry) {
    for (const change of entry.changes) {
      if (change.field !== 'messages') {
        rejected.push({ reason: `field "${change.field}" is not handled`, item: change })
        continue
      }
      if (!valueValidator.Check(change.value)) {
        const first = valueValidator.Errors(change.value)[0]
        rejected.push({ reason: `value ${first?.instancePath ?? ''} ${first?.message ?? 'invalid'}`.trim(), item: change.value })
        continue
      }
      const value = change.value
      let number: string
      try {
        number = e164FromProviderDigits(value.metadata.display_phone_number)
      } catch {
        rejected.push({ reason: 'display_phone_number is not a phone number', to: value.metadata.phone_number_id, item: value })
        continue
      }
      const endpoint: ProviderEndpoint = {
        channel: 'whatsapp',
        provider: 'whatsapp-cloud',
        number,
        phoneNumberId: value.metadata.phone_number_id,
        businessAccountId: entry.id,
      }
      for (const raw of value.messages ?? []) {
        const parsed = parseMessage(raw, value, endpoint, receivedAt)
        if ('kind' in parsed) messages.push(parsed)
        else rejected.push(parsed)
      }
      for (const raw of value.statuses ?? []) {
        const parsed = parseStatus(raw, endpoint, receivedAt)
        if ('kind' in parsed) statuses.push(parsed)
        else if ('providerState' in parsed) notices.push(parsed)
        else rejected.push(parsed)
      }
      for (const error of value.errors ?? []) errors.push({ receiver: endpoint, error: errorEntry(error) })
    }
  }
  return { messages, statuses, errors, rejected, ...(notices.length ? { notices } : {}) }
}
