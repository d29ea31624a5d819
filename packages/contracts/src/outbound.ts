import Type from 'typebox'
import { E164Schema, TenantIdSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * A request to send one message to one citizen (a confirmation, an auto-reply, a desk answer),
 * on `outbound.reply.<tenant>`. The worker sends it under the sender number's shared rate limit;
 * `id` makes a repeated request a no-op.
 */
export const OutboundReplySchema = Type.Object(
  {
    version: Type.Literal(1),
    id: Type.String({ minLength: 1, maxLength: 200 }),
    tenant: TenantIdSchema,
    channel: Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')]),
    to: E164Schema,
    text: Type.String({ minLength: 1, maxLength: 4096 }),
    /** The inbound message this answers, when it answers one. */
    inReplyTo: Type.Optional(Type.String()),
    /**
     * When the citizen last wrote to us. WhatsApp free text is only allowed within 24 hours of
     * it (the customer-service window); without it a WhatsApp reply is refused, not sent.
     */
    lastInboundAt: Type.Optional(TimestampSchema),
    /**
     * The approved WhatsApp template the reply goes as when it is business-initiated (outside the
     * 24-hour window): a form's confirmation request. `text` says the same, for records and SMS.
     */
    template: Type.Optional(
      Type.Object(
        {
          name: Type.String({ pattern: '^[a-z0-9_]{1,512}$' }),
          languageCode: Type.String({ minLength: 2, maxLength: 10 }),
          bodyParameters: Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), { maxItems: 20 }),
        },
        { additionalProperties: false },
      ),
    ),
    requestedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type OutboundReply = Type.Static<typeof OutboundReplySchema>
export const OutboundReplyContract = defineContract('OutboundReply', OutboundReplySchema)
