import Type from 'typebox'

/*
 * The Cloud API webhook payload (field `messages`), as Meta documents it. Objects stay open
 * (Meta adds fields without notice); only what the parser reads is required.
 */

const ErrorSchema = Type.Object({
  code: Type.Number(),
  title: Type.Optional(Type.String()),
  message: Type.Optional(Type.String()),
  error_data: Type.Optional(Type.Object({ details: Type.Optional(Type.String()) })),
  /** Older payloads put the details here. */
  details: Type.Optional(Type.String()),
  href: Type.Optional(Type.String()),
})
export type WhatsAppWebhookError = Type.Static<typeof ErrorSchema>

const MediaSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  mime_type: Type.Optional(Type.String()),
  sha256: Type.Optional(Type.String()),
  caption: Type.Optional(Type.String()),
  filename: Type.Optional(Type.String()),
  url: Type.Optional(Type.String()),
  voice: Type.Optional(Type.Boolean()),
  animated: Type.Optional(Type.Boolean()),
})
export type WhatsAppWebhookMedia = Type.Static<typeof MediaSchema>

export const WhatsAppWebhookMessageSchema = Type.Object({
  /** The sender's number; omitted for a citizen who adopted a username (then only `from_user_id`). */
  from: Type.Optional(Type.String({ minLength: 1 })),
  /** The sender's business-scoped user id (BSUID), in every message webhook since April 2026. */
  from_user_id: Type.Optional(Type.String({ minLength: 1 })),
  from_parent_user_id: Type.Optional(Type.String({ minLength: 1 })),
  id: Type.String({ minLength: 1 }),
  timestamp: Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 0 })]),
  type: Type.String({ minLength: 1 }),
  context: Type.Optional(
    Type.Object({ from: Type.Optional(Type.String()), id: Type.Optional(Type.String()), forwarded: Type.Optional(Type.Boolean()) }),
  ),
  text: Type.Optional(Type.Object({ body: Type.String() })),
  interactive: Type.Optional(
    Type.Object({
      type: Type.String(),
      button_reply: Type.Optional(Type.Object({ id: Type.String(), title: Type.String() })),
      list_reply: Type.Optional(
        Type.Object({ id: Type.String(), title: Type.String(), description: Type.Optional(Type.String()) }),
      ),
    }),
  ),
  button: Type.Optional(Type.Object({ text: Type.String(), payload: Type.Optional(Type.String()) })),
  image: Type.Optional(MediaSchema),
  document: Type.Optional(MediaSchema),
  audio: Type.Optional(MediaSchema),
  video: Type.Optional(MediaSchema),
  sticker: Type.Optional(MediaSchema),
  location: Type.Optional(
    Type.Object({
      latitude: Type.Number(),
      longitude: Type.Number(),
      name: Type.Optional(Type.String()),
      address: Type.Optional(Type.String()),
      url: Type.Optional(Type.String()),
    }),
  ),
  reaction: Type.Optional(Type.Object({ message_id: Type.String(), emoji: Type.Optional(Type.String()) })),
  contacts: Type.Optional(
    Type.Array(
      Type.Object({
        name: Type.Optional(Type.Object({ formatted_name: Type.Optional(Type.String()) })),
        phones: Type.Optional(
          Type.Array(Type.Object({ phone: Type.Optional(Type.String()), wa_id: Type.Optional(Type.String()) })),
        ),
      }),
    ),
  ),
  system: Type.Optional(
    Type.Object({
      body: Type.Optional(Type.String()),
      type: Type.Optional(Type.String()),
      wa_id: Type.Optional(Type.String()),
      new_wa_id: Type.Optional(Type.String()),
      /** A number change: the BSUID Meta gave the new number, when it says it. */
      user_id: Type.Optional(Type.String()),
      new_user_id: Type.Optional(Type.String()),
    }),
  ),
  unsupported: Type.Optional(Type.Object({ type: Type.Optional(Type.String()) })),
  referral: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  errors: Type.Optional(Type.Array(ErrorSchema)),
})
export type WhatsAppWebhookMessage = Type.Static<typeof WhatsAppWebhookMessageSchema>

export const WhatsAppWebhookStatusSchema = Type.Object({
  id: Type.String({ minLength: 1 }),
  status: Type.String({ minLength: 1 }),
  timestamp: Type.Union([Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 0 })]),
  /** The recipient's number; may be omitted when we sent to a BSUID (then `recipient_user_id`). */
  recipient_id: Type.Optional(Type.String({ minLength: 1 })),
  recipient_user_id: Type.Optional(Type.String({ minLength: 1 })),
  biz_opaque_callback_data: Type.Optional(Type.String()),
  conversation: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  pricing: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  errors: Type.Optional(Type.Array(ErrorSchema)),
})
export type WhatsAppWebhookStatus = Type.Static<typeof WhatsAppWebhookStatusSchema>

export const WhatsAppWebhookValueSchema = Type.Object({
  messaging_product: Type.Optional(Type.String()),
  metadata: Type.Object({
    display_phone_number: Type.String({ minLength: 1 }),
    phone_number_id: Type.String({ minLength: 1 }),
  }),
  contacts: Type.Optional(
    Type.Array(
      Type.Object({
        wa_id: Type.Optional(Type.String()),
        user_id: Type.Optional(Type.String()),
        profile: Type.Optional(Type.Object({ name: Type.Optional(Type.String()), username: Type.Optional(Type.String()) })),
      }),
    ),
  ),
  messages: Type.Optional(Type.Array(Type.Unknown())),
  statuses: Type.Optional(Type.Array(Type.Unknown())),
  errors: Type.Optional(Type.Array(ErrorSchema)),
})
export type WhatsAppWebhookValue = Type.Static<typeof WhatsAppWebhookValueSchema>

export const WhatsAppWebhookEnvelopeSchema = Type.Object({
  object: Type.Literal('whatsapp_business_account'),
  entry: Type.Array(
    Type.Object({
      id: Type.String(),
      changes: Type.Array(Type.Object({ field: Type.String(), value: Type.Unknown() })),
    }),
  ),
})
export type WhatsAppWebhookEnvelope = Type.Static<typeof WhatsAppWebhookEnvelopeSchema>
