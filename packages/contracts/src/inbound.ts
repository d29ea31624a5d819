import Type from 'typebox'
import { BsuidSchema, ChannelSchema, CitizenAddressSchema, E164Schema, TenantIdSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

/** Who delivered the message to us. */
export const ProviderSchema = Type.Union([
  Type.Literal('whatsapp-cloud'),
  Type.Literal('sms-gateway'),
  Type.Literal('web-form'),
  Type.Literal('paper-form'),
])

export const InboundMessageTypeSchema = Type.Union([
  Type.Literal('text'),
  Type.Literal('interactive'),
  Type.Literal('image'),
  Type.Literal('document'),
  Type.Literal('audio'),
  Type.Literal('video'),
  Type.Literal('sticker'),
  Type.Literal('location'),
  Type.Literal('reaction'),
  Type.Literal('contacts'),
  Type.Literal('system'),
  Type.Literal('unsupported'),
  Type.Literal('form'),
])

export const MediaReferenceSchema = Type.Object(
  {
    kind: Type.Union([
      Type.Literal('image'),
      Type.Literal('document'),
      Type.Literal('audio'),
      Type.Literal('video'),
      Type.Literal('sticker'),
    ]),
    /** The provider's media id (WhatsApp) or URL (SMS gateway MediaUrlN). */
    ref: Type.String({ minLength: 1 }),
    mimeType: Type.Optional(Type.String()),
    caption: Type.Optional(Type.String()),
    filename: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)

/**
 * What shows that the provider really delivered a message: the SHA-256 of the webhook body
 * exactly as received and the signature header that came with it (WhatsApp
 * `X-Hub-Signature-256`, an HMAC over those bytes; the SMS gateway's `X-Twilio-Signature`, an
 * HMAC over the public URL and the form parameters of that body).
 */
export const WebhookProofSchema = Type.Object(
  {
    bodySha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    signature: Type.String({ minLength: 1, maxLength: 512 }),
  },
  { additionalProperties: false },
)
export type WebhookProof = Type.Static<typeof WebhookProofSchema>

/**
 * A citizen's message, whatever door it came through, as ingest publishes it on
 * `inbound.message.<tenant>`. `text` is Unicode NFC; for an interactive reply it is the
 * chosen option's title and `interactive.id` its id.
 */
export const InboundMessageSchema = Type.Object(
  {
    /** 2: carries `webhook`, the proof of delivery. Readers accept both (deploy them before ingest). */
    version: Type.Union([Type.Literal(1), Type.Literal(2)]),
    /** Our id for the message: `<provider>:<providerMessageId>`, stable across redeliveries. */
    id: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    channel: ChannelSchema,
    provider: ProviderSchema,
    providerMessageId: Type.String({ minLength: 1 }),
    /**
     * The citizen's address: their number (E.164), or, when the provider gave none (a WhatsApp
     * citizen who adopted a username), their BSUID (`US.1234…`). Readers key the citizen by it.
     * Widened without a version bump: a reader that only knows E.164 refuses such a message
     * (dead-letters it, to replay) rather than misreading it; deploy readers before ingest.
     */
    from: CitizenAddressSchema,
    /**
     * WhatsApp: the sender's business-scoped user id (`from_user_id`), whether or not a number came
     * too; equal to `from` when it is the only identifier. Readers accept it before ingest sends it.
     */
    fromUserId: Type.Optional(BsuidSchema),
    /** The tenant's receiving number (E.164), or the form's id for web and paper forms. */
    to: Type.String({ minLength: 1 }),
    profileName: Type.Optional(Type.String()),
    type: InboundMessageTypeSchema,
    text: Type.Optional(Type.String()),
    interactive: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('button'), Type.Literal('list')]),
          id: Type.String(),
          title: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    media: Type.Optional(Type.Array(MediaReferenceSchema)),
    location: Type.Optional(
      Type.Object(
        {
          latitude: Type.Number(),
          longitude: Type.Number(),
          name: Type.Optional(Type.String()),
          address: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    reaction: Type.Optional(
      Type.Object(
        { messageId: Type.String(), emoji: Type.Optional(Type.String()) },
        { additionalProperties: false },
      ),
    ),
    /** The provider message this one replies to, when the citizen used "reply". */
    replyTo: Type.Optional(Type.String()),
    /** Extra fields of web and paper forms (topics, consent, operator, form reference). */
    form: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    sentAt: TimestampSchema,
    receivedAt: TimestampSchema,
    /** Version 2: the provider's signed webhook, so the consent ledger can prove who delivered it. */
    webhook: Type.Optional(WebhookProofSchema),
    /**
     * SMS: the gateway's own opt-out handling of this message (Twilio `OptOutType`): STOP means the
     * gateway already blocks our sends to this citizen, whatever word (or account-configured
     * word) they used. Readers accept it before ingest sends it.
     */
    gatewayOptOut: Type.Optional(Type.Union([Type.Literal('STOP'), Type.Literal('START'), Type.Literal('HELP')])),
    /**
     * WhatsApp `system` messages about the citizen's identity (type `system`): `user_changed_number`
     * with the new number and, when Meta says it, the new BSUID (a number change gives a new one);
     * `customer_identity_changed` (the citizen reinstalled or changed device).
     */
    system: Type.Optional(
      Type.Object(
        { type: Type.String({ minLength: 1 }), newNumber: Type.Optional(E164Schema), newUserId: Type.Optional(BsuidSchema) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
)
export type InboundMessage = Type.Static<typeof InboundMessageSchema>
export const InboundMessageContract = defineContract('InboundMessage', InboundMessageSchema)

export const DeliveryStateSchema = Type.Union([
  Type.Literal('accepted'),
  Type.Literal('sent'),
  Type.Literal('delivered'),
  Type.Literal('read'),
  Type.Literal('failed'),
])
export type DeliveryState = Type.Static<typeof DeliveryStateSchema>

/**
 * A provider's report on a message we sent, on `inbound.status.<tenant>`. Statuses arrive more
 * than once and out of order; consumers move a recipient's state only forward.
 */
export const DeliveryStatusSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** `<provider>:<providerMessageId>:<state>`, stable across redeliveries. */
    id: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    channel: ChannelSchema,
    provider: ProviderSchema,
    providerMessageId: Type.String({ minLength: 1 }),
    state: DeliveryStateSchema,
    /** The citizen's address as we sent to it: a number, or a BSUID (`recipient_user_id`). */
    recipient: CitizenAddressSchema,
    /** The send-ledger id we attached to the send (biz_opaque_callback_data, callback URL). */
    correlation: Type.Optional(Type.String()),
    error: Type.Optional(
      Type.Object(
        {
          code: Type.String(),
          title: Type.Optional(Type.String()),
          detail: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    occurredAt: TimestampSchema,
    receivedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type DeliveryStatus = Type.Static<typeof DeliveryStatusSchema>
export const DeliveryStatusContract = defineContract('DeliveryStatus', DeliveryStatusSchema)

/**
 * A webhook ingest could not route (unknown receiving number, unparseable shape): kept on
 * `inbound.unrouted` for inspection, never silently dropped.
 */
export const UnroutedWebhookSchema = Type.Object(
  {
    version: Type.Literal(1),
    provider: ProviderSchema,
    reason: Type.String(),
    /** The receiving number or account, when it could be read. */
    to: Type.Optional(Type.String()),
    /** The raw body, as received (UTF-8). */
    body: Type.String(),
    receivedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type UnroutedWebhook = Type.Static<typeof UnroutedWebhookSchema>
export const UnroutedWebhookContract = defineContract('UnroutedWebhook', UnroutedWebhookSchema)
