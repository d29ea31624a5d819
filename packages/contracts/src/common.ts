import Type from 'typebox'

/** A tenant (municipality) id: lower-case slug, also used as a NATS subject token. */
export const TenantIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })

/** A phone number in E.164 (`+393667760789`). */
export const E164Schema = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })

/** The door a message came through or goes out of. */
export const ChannelSchema = Type.Union([
  Type.Literal('whatsapp'),
  Type.Literal('sms'),
  Type.Literal('web'),
  Type.Literal('paper'),
])

export const TimestampSchema = Type.String({ format: 'date-time' })

export type TenantId = Type.Static<typeof TenantIdSchema>
export type Channel = Type.Static<typeof ChannelSchema>
