import Type from 'typebox'

/** A tenant (municipality) id: lower-case slug, also used as a NATS subject token. */
export const TenantIdSchema = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' })

/** A phone number in E.164 (`+393667760789`). */
export const E164Schema = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' })

/**
 * A WhatsApp business-scoped user id (BSUID): the ISO 3166 alpha-2 country code of the user, a
 * period, then up to 128 alphanumeric characters (`US.13491208655302741918`). Meta puts it in
 * every message webhook (`from_user_id`, `contacts[].user_id`, statuses' `recipient_user_id`)
 * and, for a citizen who adopted a username, it may be the only identifier there is: `from` and
 * `wa_id` are then omitted. It is scoped to the business portfolio and replaced when the user
 * changes number. Stored and sent back exactly as received. Sources: Meta's "Business-scoped user
 * IDs" page (developers.facebook.com/documentation/business-messaging/whatsapp/business-scoped-user-ids),
 * as summarised by YCloud's and 8x8's BSUID guides. Parent BSUIDs (`US.ENT.…`) are not accepted here.
 */
const BSUID_PATTERN = '^[A-Z]{2}\\.[A-Za-z0-9]{1,128}$'
export const BsuidSchema = Type.String({ pattern: BSUID_PATTERN })

/**
 * Where a citizen is reached: their number (E.164) when one is known, otherwise (a WhatsApp
 * username-only citizen) their BSUID. Every message, reply, change, erasure and export is keyed
 * by this address, so a username-only citizen goes through the same paths as a phone citizen.
 */
export const CitizenAddressSchema = Type.String({ pattern: '^(\\+[1-9][0-9]{6,14}|[A-Z]{2}\\.[A-Za-z0-9]{1,128})$' })

/** Whether a citizen's address is a BSUID (not a number: never for SMS). */
export const isBsuid = (address: string): boolean => /^[A-Z]{2}\.[A-Za-z0-9]{1,128}$/.test(address)

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
