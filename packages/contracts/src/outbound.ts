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
    requestedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type OutboundReply = Type.Static<typeof OutboundReplySchema>
export const OutboundReplyContract = defineContract('OutboundReply', OutboundReplySchema)
