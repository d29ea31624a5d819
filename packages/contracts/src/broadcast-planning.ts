import Type from 'typebox'
import { TimestampSchema } from './common.js'
import { AudienceCountSchema } from './console-api.js'

/**
 * What the staff API says about a broadcast before it goes: the tenant's electoral periods
 * (Legge 28/2000, art. 9), its quiet hours, and the pre-flight plan of a broadcast.
 */

const Count = Type.Integer({ minimum: 0 })
/** A wall-clock time in the tenant's time zone, `YYYY-MM-DDTHH:MM` (Europe/Rome for every tenant today). */
const LocalDateTime = Type.String({ pattern: '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]$' })
const ClockTime = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })

export const ElectoralPeriodKindSchema = Type.Union([
  Type.Literal('national'),
  Type.Literal('regional'),
  Type.Literal('european'),
  Type.Literal('municipal'),
  Type.Literal('referendum'),
])
export type ElectoralPeriodKind = Type.Static<typeof ElectoralPeriodKindSchema>

/** From the calling of an election until the polls close, local times of the tenant. */
export const ElectoralPeriodBodySchema = Type.Object(
  {
    kind: ElectoralPeriodKindSchema,
    /** What staff read: `Elezioni comunali 2027`. */
    name: Type.String({ minLength: 3, maxLength: 160 }),
    /** The calling (convocazione dei comizi), local time. */
    startsAt: LocalDateTime,
    /** The polls close, local time. */
    endsAt: LocalDateTime,
  },
  { additionalProperties: false },
)
export type ElectoralPeriodBody = Type.Static<typeof ElectoralPeriodBodySchema>

export const ElectoralPeriodSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: ElectoralPeriodKindSchema,
    name: Type.String(),
    startsAt: TimestampSchema,
    endsAt: TimestampSchema,
    /** The same instants as wall-clock times of the tenant. */
    startsAtLocal: LocalDateTime,
    endsAtLocal: LocalDateTime,
    inForce: Type.Boolean(),
    createdBy: Type.String(),
    createdAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type ElectoralPeriod = Type.Static<typeof ElectoralPeriodSchema>

export const ElectoralPeriodListSchema = Type.Object(
  {
    /** The period in force now, if any: approvals need a statement, political content is refused. */
    inForce: Type.Union([ElectoralPeriodSchema, Type.Null()]),
    periods: Type.Array(ElectoralPeriodSchema),
  },
  { additionalProperties: false },
)
export type ElectoralPeriodList = Type.Static<typeof ElectoralPeriodListSchema>

/** No routine broadcast between `start` and `end` (local times; `start` after `end` spans midnight). */
export const QuietHoursSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    start: ClockTime,
    end: ClockTime,
    timeZone: Type.String(),
  },
  { additionalProperties: false },
)
export type QuietHours = Type.Static<typeof QuietHoursSchema>
export const QuietHoursBodySchema = Type.Object(
  { enabled: Type.Boolean(), start: ClockTime, end: ClockTime },
  { additionalProperties: false },
)
export type QuietHoursBody = Type.Static<typeof QuietHoursBodySchema>

const Money = Type.Number({ minimum: 0 })

export const BroadcastPlanSchema = Type.Object(
  {
    broadcastId: Type.String({ format: 'uuid' }),
    /** Who will receive it, per channel and language (the subscriptions service's count). */
    audience: AudienceCountSchema,
    /**
     * Subscribers who will not: `outside-topics` (subscribed, none of the broadcast's topics or
     * languages). Stopped and blocked subscribers are left out of every count by the
     * subscriptions service and cannot be told apart here: `null`.
     */
    skipped: Type.Object({ outsideTopics: Count, stopped: Type.Null(), blocked: Type.Null() }, { additionalProperties: false }),
    /** How long the sending takes at each number's cap (channels run side by side), pauses aside. */
    duration: Type.Object(
      {
        whatsapp: Type.Optional(Type.Object({ recipients: Count, messagesPerSecond: Type.Integer({ minimum: 1 }), seconds: Type.Number({ minimum: 0 }) }, { additionalProperties: false })),
        sms: Type.Optional(Type.Object({ recipients: Count, messagesPerSecond: Type.Integer({ minimum: 1 }), seconds: Type.Number({ minimum: 0 }) }, { additionalProperties: false })),
        seconds: Type.Number({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    /** The start, the estimated end, and the quiet hours the send pauses in. */
    schedule: Type.Object(
      {
        startsAt: TimestampSchema,
        endsAt: TimestampSchema,
        quietHours: QuietHoursSchema,
        pauses: Type.Array(Type.Object({ from: TimestampSchema, until: TimestampSchema }, { additionalProperties: false })),
      },
      { additionalProperties: false },
    ),
    /** Meta's messaging limit: unique recipients outside the 24-hour window per moving 24 hours. */
    whatsappLimit: Type.Union([
      Type.Null(),
      Type.Object(
        {
          limit: Type.Union([Count, Type.Literal('unlimited')]),
          /**
           * Business-initiated recipients already reached in the last 24 hours: every recipient
           * handed to a provider by the tenant's broadcasts dispatched in the last 24 hours, both
           * channels, a recipient of two broadcasts twice (an upper bound; the send ledger is
           * counted by broadcast, not by channel or person).
           */
          usedLast24Hours: Count,
          /** This broadcast's WhatsApp recipients, all counted as outside the 24-hour window (template messages). */
          needed: Count,
          available: Type.Union([Count, Type.Literal('unlimited')]),
          fits: Type.Boolean(),
          /** When it does not fit: spread over days, or SMS for the remainder. */
          proposals: Type.Array(
            Type.Union([
              Type.Object({ kind: Type.Literal('spread'), days: Type.Integer({ minimum: 2 }), perDay: Count }, { additionalProperties: false }),
              Type.Object({ kind: Type.Literal('sms-remainder'), whatsapp: Count, sms: Count, smsSegments: Count }, { additionalProperties: false }),
            ]),
          ),
        },
        { additionalProperties: false },
      ),
    ]),
    /** null: the tenant has no rate card. */
    cost: Type.Union([
      Type.Null(),
      Type.Object(
        {
          currency: Type.Literal('EUR'),
          whatsapp: Type.Object({ category: Type.String(), messages: Count, unitPrice: Money, total: Money }, { additionalProperties: false }),
          sms: Type.Object({ recipients: Count, segmentsPerMessage: Count, segments: Count, unitPrice: Money, total: Money }, { additionalProperties: false }),
          total: Money,
        },
        { additionalProperties: false },
      ),
    ]),
    /** The electoral period in force, when there is one: the approval needs a statement. */
    electoralPeriod: Type.Union([ElectoralPeriodSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type BroadcastPlan = Type.Static<typeof BroadcastPlanSchema>
