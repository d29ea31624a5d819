import Type from 'typebox'
import { BroadcastContentSchema } from './broadcast-content.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { EmergencyContactSchema, LanguageSchema } from './tenant.js'
import { defineContract } from './validate.js'

/**
 * The Department of Civil Protection's daily bulletin of hydrogeological and hydraulic
 * criticality, as the broadcast service reads it for each tenant's alert zone (staff API), and
 * the one-off notice that tells the staff on duty a draft awaits them (a worker workflow).
 */

/** The four colours of the national alert system. */
export const BulletinColourSchema = Type.Union([Type.Literal('green'), Type.Literal('yellow'), Type.Literal('orange'), Type.Literal('red')])
export type BulletinColour = Type.Static<typeof BulletinColourSchema>

/** One reading: what one bulletin says of one tenant's zone for one day. */
export const BulletinReadingViewSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    /** The bulletin's stamp as the DPC files name it: `20261207_1530`. */
    bulletinId: Type.String(),
    bulletinName: Type.String(),
    /** The day the reading is valid for (YYYY-MM-DD). */
    day: Type.String(),
    zone: Type.String(),
    colour: BulletinColourSchema,
    /** As published for the zone (`Moderata per rischio idrogeologico / ALLERTA ARANCIONE`). */
    criticality: Type.String(),
    readAt: TimestampSchema,
    /** The emergency draft made from it (orange and red only; once per zone, day and colour). */
    emergencyId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  },
  { additionalProperties: false },
)
export type BulletinReadingView = Type.Static<typeof BulletinReadingViewSchema>

/** The last check of the bulletin (every tenant at once): when, and why it failed if it did. */
export const BulletinCheckViewSchema = Type.Object(
  {
    checkedAt: TimestampSchema,
    ok: Type.Boolean(),
    /** In Italian, for staff: what went wrong (unreachable index, 404, malformed file). */
    error: Type.Union([Type.String(), Type.Null()]),
    /** The bulletins read (their stamps). */
    bulletins: Type.Array(Type.String()),
    /** Drafts made by this check. */
    drafts: Type.Array(Type.Object({ tenant: TenantIdSchema, emergencyId: Type.String({ format: 'uuid' }) }, { additionalProperties: false })),
  },
  { additionalProperties: false },
)
export type BulletinCheckView = Type.Static<typeof BulletinCheckViewSchema>

export const BulletinReadingListSchema = Type.Object(
  {
    readings: Type.Array(BulletinReadingViewSchema),
    lastCheck: Type.Union([BulletinCheckViewSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type BulletinReadingList = Type.Static<typeof BulletinReadingListSchema>

/** The worker's one-off notice to staff (the on-duty contacts), sent from the tenant's number. */
export const StaffNoticeWorkflow = {
  type: 'staffNoticeWorkflow',
  workflowId: (tenant: string, noticeId: string) => `staff-notice:${tenant}:${noticeId}`,
} as const

export const StaffNoticeInputSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** The send id of the notice (a UUID): each contact gets it once, whatever retries happen. */
    noticeId: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    contacts: Type.Array(EmergencyContactSchema, { minItems: 1 }),
    /** Per language; a contact without a language gets `defaultLanguage`'s. */
    texts: Type.Record(LanguageSchema, Type.String({ minLength: 1, maxLength: 1600 })),
    defaultLanguage: LanguageSchema,
    /** WhatsApp contacts: the tenant's alert template, the notice as its text. */
    whatsapp: BroadcastContentSchema.properties.whatsapp,
  },
  { additionalProperties: false },
)
export type StaffNoticeInput = Type.Static<typeof StaffNoticeInputSchema>
export const StaffNoticeInputContract = defineContract('StaffNoticeInput', StaffNoticeInputSchema)
