import { isBsuid } from '@banditore/contracts'
import { providerDigitsFromE164 } from './phone-number.js'

/*
 * Builds Cloud API webhook payloads in Meta's format: the simulator posts them, and tests of
 * other packages (ingest) use them as realistic input.
 */

export interface WhatsAppBusinessNumber {
  readonly businessAccountId: string
  readonly phoneNumberId: string
  /** E.164 or digits; written as digits, like Meta does. */
  readonly displayPhoneNumber: string
}

export interface WhatsAppStatusSpec {
  readonly messageId: string
  readonly status: 'sent' | 'delivered' | 'read' | 'failed'
  readonly at: Date
  /** E.164. */
  readonly recipient: string
  readonly correlation?: string
  readonly error?: { readonly code: number; readonly title: string; readonly details: string }
  /** Pricing category of the message (marketing, utility, authentication, service). */
  readonly category?: string
  /**
   * Pricing type: `free_customer_service` for a message sent while the customer-service window
   * was open (not billed), `regular` otherwise (billed). Default `regular`.
   */
  readonly pricingType?: 'regular' | 'free_customer_service' | 'free_entry_point'
}

const unix = (at: Date) => String(Math.floor(at.getTime() / 1000))

/** One change value (field `messages`) for a business number. */
function value(number: WhatsAppBusinessNumber, content: Record<string, unknown>) {
  return {
    messaging_product: 'whatsapp',
    metadata: {
      display_phone_number: providerDigitsFromE164(number.displayPhoneNumber),
      phone_number_id: number.phoneNumberId,
    },
    ...content,
  }
}

/** The webhook envelope: one entry per WABA, each with one `messages` change per value. */
export function whatsAppWebhookEnvelope(
  entries: ReadonlyArray<{ readonly businessAccountId: string; readonly values: ReadonlyArray<Record<string, unknown>> }>,
) {
  return {
    object: 'whatsapp_business_account',
    entry: entries.map((entry) => ({
      id: entry.businessAccountId,
      changes: entry.values.map((v) => ({ value: v, field: 'messages' })),
    })),
  }
}

/** The `statuses` change value for one or more statuses of one business number. */
export function whatsAppStatusValue(number: WhatsAppBusinessNumber, statuses: readonly WhatsAppStatusSpec[]) {
  return value(number, {
    statuses: statuses.map((s) => ({
      id: s.messageId,
      status: s.status,
      timestamp: unix(s.at),
      // A send to a BSUID is reported with `recipient_user_id` (and no number).
      ...(isBsuid(s.recipient) ? { recipient_user_id: s.recipient } : { recipient_id: providerDigitsFromE164(s.recipient) }),
      ...(s.correlation !== undefined ? { biz_opaque_callback_data: s.correlation } : {}),
      ...(s.status === 'sent' || s.status === 'delivered'
        ? {
            conversation: {
              id: `conv-${s.messageId.slice(-16)}`,
              ...(s.status === 'sent' ? { expiration_timestamp: unix(new Date(s.at.getTime() + 86_400_000)) } : {}),
              origin: { type: s.category ?? 'utility' },
            },
            pricing: {
              billable: (s.pricingType ?? 'regular') === 'regular',
              pricing_model: 'PMP',
              category: s.category ?? 'utility',
              type: s.pricingType ?? 'regular',
            },
          }
        : {}),
      ...(s.error
        ? {
            errors: [
              {
                code: s.error.code,
                title: s.error.title,
                message: s.error.title,
                error_data: { details: s.error.details },
                href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
              },
            ],
          }
        : {}),
    })),
  })
}

/** The `messages` change value for citizen messages (Meta message objects) of one business number. */
export function whatsAppMessagesValue(
  number: WhatsAppBusinessNumber,
  contact: { readonly waId?: string; readonly userId?: string; readonly profileName?: string } | undefined,
  messages: ReadonlyArray<Record<string, unknown>>,
) {
  return value(number, {
    ...(contact
      ? {
          contacts: [
            {
              profile: { name: contact.profileName ?? '' },
              ...(contact.waId !== undefined ? { wa_id: contact.waId } : {}),
              ...(contact.userId !== undefined ? { user_id: contact.userId } : {}),
            },
          ],
        }
      : {}),
    messages,
  })
}

/** A single-status webhook body, as the Cloud API posts it. */
export function buildWhatsAppStatusWebhook(number: WhatsAppBusinessNumber, status: WhatsAppStatusSpec) {
  return whatsAppWebhookEnvelope([{ businessAccountId: number.businessAccountId, values: [whatsAppStatusValue(number, [status])] }])
}

/**
 * A single-message webhook body. `message` is the Meta message object without from/id/timestamp
 * (e.g. `{ type: 'text', text: { body: 'ciao' } }`).
 */
export function buildWhatsAppMessageWebhook(
  number: WhatsAppBusinessNumber,
  input: {
    /** The citizen's number (E.164); absent for a username-only citizen, who then has `fromUserId`. */
    readonly from?: string
    /** The citizen's business-scoped user id (`from_user_id`, `contacts[].user_id`). */
    readonly fromUserId?: string
    readonly messageId: string
    readonly at: Date
    readonly profileName?: string
    readonly message: Readonly<Record<string, unknown>>
  },
) {
  const waId = input.from !== undefined ? providerDigitsFromE164(input.from) : undefined
  const userId = input.fromUserId
  const isSystem = input.message.type === 'system'
  return whatsAppWebhookEnvelope([
    {
      businessAccountId: number.businessAccountId,
      values: [
        whatsAppMessagesValue(number, isSystem ? undefined : { ...(waId !== undefined ? { waId } : {}), ...(userId !== undefined ? { userId } : {}), profileName: input.profileName }, [
          {
            ...(waId !== undefined ? { from: waId } : {}),
            ...(userId !== undefined ? { from_user_id: userId } : {}),
            id: input.messageId,
            timestamp: unix(input.at),
            ...input.message,
          },
        ]),
      ],
    },
  ])
}

/**
 * A webhook body serialized as Meta serializes it: JSON with every non-ASCII character written as
 * a `\uXXXX` escape (UTF-16 code units, so an emoji is a surrogate pair) and `/` written as `\/`.
 * `X-Hub-Signature-256` is computed over these exact bytes, so a receiver that re-serializes the
 * parsed JSON (or decodes the escapes first) computes another signature.
 */
export function encodeWhatsAppWebhookBody(payload: unknown): string {
  return JSON.stringify(payload)
    .replace(/[\u0080-\uffff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\//g, '\\/')
}
