import Type from 'typebox'
import { SimTemplateUpdateSchema } from './template-catalog.js'

export const LimitsSchema = Type.Object(
  {
    defaultThroughputPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    pairRatePerSecond: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()])),
    pairBurst: Type.Optional(Type.Integer({ minimum: 1 })),
    sender: Type.Optional(Type.String({ minLength: 1 })),
    throughputPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
)

export const InjectWhatsAppSchema = Type.Object(
  {
    to: Type.String({ minLength: 1, description: "The business number: its phone_number_id or its number, E.164" }),
    from: Type.Optional(Type.String({ minLength: 1, description: 'The citizen, any format (default region IT); omit for a username-only citizen (give fromUserId)' })),
    fromUserId: Type.Optional(
      Type.String({
        pattern: '^[A-Z]{2}\\.[A-Za-z0-9]{1,128}$',
        description: "The citizen's business-scoped user id (BSUID, `US.1234…`), posted as `from_user_id`; alone (no `from`) it plays a citizen who adopted a WhatsApp username",
      }),
    ),
    profileName: Type.Optional(Type.String({ description: "The citizen's WhatsApp profile name" })),
    text: Type.Optional(Type.String({ description: 'A text message (or give `message`)' })),
    message: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'A Meta message object without from, id, timestamp, e.g. an interactive reply' })),
    reply: Type.Optional(
      Type.Object(
        {
          id: Type.String({ minLength: 1, description: "The row or button id the citizen chose, or a template quick-reply button's payload" }),
          messageId: Type.Optional(Type.String({ minLength: 1, description: 'The message answered; default the latest one to the citizen offering `id`' })),
        },
        {
          additionalProperties: false,
          description:
            "The citizen taps a row of a list or a reply button the simulator accepted (posted as Meta posts list_reply / button_reply), or a quick-reply button of a template sent with that payload (posted as Meta's `type: \"button\"` message, `button: { payload, text }`, the label in the template's language); title, text and context filled in",
        },
      ),
    ),
    messageId: Type.Optional(Type.String({ minLength: 1, description: 'Default: a fresh wamid; reuse one to simulate a redelivery' })),
  },
  { additionalProperties: false },
)

export const InjectSmsSchema = Type.Object(
  {
    to: Type.String({ minLength: 1, description: 'The SMS number, E.164' }),
    from: Type.String({ minLength: 1, description: 'The citizen, any format (default region IT)' }),
    body: Type.String({ description: 'The text of the SMS' }),
    media: Type.Optional(Type.Array(Type.Object({ url: Type.String(), contentType: Type.String() }))),
    optOutType: Type.Optional(Type.Union([Type.Literal('STOP'), Type.Literal('START'), Type.Literal('HELP'), Type.Null()])),
    messageSid: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

export const EmitStatusSchema = Type.Object(
  {
    providerMessageId: Type.String({ minLength: 1 }),
    state: Type.Union([
      Type.Literal('sent'),
      Type.Literal('delivered'),
      Type.Literal('read'),
      Type.Literal('failed'),
      Type.Literal('undelivered'),
    ]),
    errorCode: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)

export const TemplatePatchSchema = Type.Object(
  { ...SimTemplateUpdateSchema.properties, language: Type.Optional(Type.String({ minLength: 2 })) },
  { additionalProperties: false, minProperties: 1 },
)

