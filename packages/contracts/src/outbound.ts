import Type from 'typebox'
import { CitizenAddressSchema, TenantIdSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

const InteractiveText = (maxLength: number) => Type.String({ minLength: 1, maxLength })

/**
 * A WhatsApp interactive message (Meta's limits): a list of up to 10 rows or up to 3 reply
 * buttons. Row and button ids come back as `interactive.id` on the citizen's answer.
 */
export const OutboundInteractiveSchema = Type.Union([
  Type.Object(
    {
      kind: Type.Literal('list'),
      header: Type.Optional(InteractiveText(60)),
      body: InteractiveText(4096),
      footer: Type.Optional(InteractiveText(60)),
      button: InteractiveText(20),
      sections: Type.Array(
        Type.Object(
          {
            title: Type.Optional(InteractiveText(24)),
            rows: Type.Array(
              Type.Object(
                { id: InteractiveText(200), title: InteractiveText(24), description: Type.Optional(InteractiveText(72)) },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 10 },
            ),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 10 },
      ),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      kind: Type.Literal('buttons'),
      header: Type.Optional(InteractiveText(60)),
      body: InteractiveText(1024),
      footer: Type.Optional(InteractiveText(60)),
      buttons: Type.Array(Type.Object({ id: InteractiveText(256), title: InteractiveText(20) }, { additionalProperties: false }), {
        minItems: 1,
        maxItems: 3,
      }),
    },
    { additionalProperties: false },
  ),
])
export type OutboundInteractive = Type.Static<typeof OutboundInteractiveSchema>

/**
 * A request to send one message to one citizen (a confirmation, an auto-reply, a desk answer),
 * on `outbound.reply.<tenant>`. The worker sends it under the sender number's shared rate limit;
 * `id` makes a repeated request a no-op.
 */
export const OutboundReplySchema = Type.Object(
  {
    /**
     * 2: may carry `interactive`. Publishers write 1 when there is none, so a worker that only
     * reads 1 keeps working during a rolling deploy (deploy the worker first).
     */
    version: Type.Union([Type.Literal(1), Type.Literal(2)]),
    id: Type.String({ minLength: 1, maxLength: 200 }),
    tenant: TenantIdSchema,
    channel: Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')]),
    to: CitizenAddressSchema,
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
    /**
     * WhatsApp only, inside the window: the reply goes as this interactive message. `text` is
     * always its plain-text form, sent instead on SMS, outside the window or when WhatsApp refuses it.
     */
    interactive: Type.Optional(OutboundInteractiveSchema),
    requestedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type OutboundReply = Type.Static<typeof OutboundReplySchema>
export const OutboundReplyContract = defineContract('OutboundReply', OutboundReplySchema)
