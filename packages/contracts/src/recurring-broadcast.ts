import Type from 'typebox'
import { BroadcastDraftBodySchema, OutboundCheckViewSchema } from './broadcast-api.js'
import { BroadcastRunInputSchema } from './broadcast.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * Recurring broadcasts: a series of notices (waste collection every Monday at 18:00, the 1st of
 * each month, a year's announced bulky-waste days). Staff write and approve the series once in
 * the staff API (services/broadcast); a Temporal Schedule starts one occurrence workflow on the
 * worker at each time; the worker asks the staff API, which owns the series, to turn the
 * occurrence into an ordinary approved broadcast (or to say it is skipped), then runs it.
 */
export const RecurringBroadcastWorkflow = {
  /** The workflow type the schedule starts, registered by the worker. */
  type: 'recurringOccurrenceWorkflow',
  /** The series' schedule id (and its workflows' id prefix: Temporal appends `-<scheduled time>`). */
  scheduleId: (tenant: string, seriesId: string) => `recurring:${tenant}:${seriesId}`,
} as const

/** Subjects of the staff API's answers to the worker (request/reply, queue group `broadcast`). */
export const RecurringSubjects = {
  /** Request/reply: RecurringOccurrenceRequest → RecurringOccurrenceReply. */
  occurrence: 'broadcast.recurring.occurrence',
} as const
/** The queue group the staff API's responders join: one instance answers each request. */
export const BROADCAST_RESPONDERS = 'broadcast'

const HhMm = Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'local time, HH:MM' })
const LocalDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'local date, YYYY-MM-DD' })
export const WeekdaySchema = Type.Union([
  Type.Literal('monday'),
  Type.Literal('tuesday'),
  Type.Literal('wednesday'),
  Type.Literal('thursday'),
  Type.Literal('friday'),
  Type.Literal('saturday'),
  Type.Literal('sunday'),
])
export type Weekday = Type.Static<typeof WeekdaySchema>

/**
 * When a series sends, in the tenant's local time (Europe/Rome): each week on some weekdays, each
 * month on one day (1-28: every month has it), between two dates; or on announced dates
 * (`YYYY-MM-DDTHH:MM`, seconds allowed).
 */
export const RecurrenceSchema = Type.Union([
  Type.Object(
    {
      every: Type.Literal('week'),
      weekdays: Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7, uniqueItems: true }),
      at: HhMm,
      from: LocalDate,
      until: LocalDate,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { every: Type.Literal('month'), day: Type.Integer({ minimum: 1, maximum: 28 }), at: HhMm, from: LocalDate, until: LocalDate },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      dates: Type.Array(Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$' }), {
        minItems: 1,
        maxItems: 366,
        uniqueItems: true,
      }),
    },
    { additionalProperties: false },
  ),
])
export type Recurrence = Type.Static<typeof RecurrenceSchema>

/** What an operator writes: a broadcast draft and when it recurs. */
export const RecurringBroadcastBodySchema = Type.Object(
  { ...BroadcastDraftBodySchema.properties, recurrence: RecurrenceSchema },
  { additionalProperties: false },
)
export type RecurringBroadcastBody = Type.Static<typeof RecurringBroadcastBodySchema>

export const RecurringStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('active'), Type.Literal('ended'), Type.Literal('cancelled')])
export type RecurringStatus = Type.Static<typeof RecurringStatusSchema>

export const RecurringBroadcastViewSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    status: RecurringStatusSchema,
    draft: BroadcastDraftBodySchema,
    recurrence: RecurrenceSchema,
    timeZone: Type.String(),
    /** The last time the series may send. */
    endsAt: TimestampSchema,
    outboundCheck: OutboundCheckViewSchema,
    createdBy: Type.String(),
    createdAt: TimestampSchema,
    approvedBy: Type.Union([Type.String(), Type.Null()]),
    approvedAt: Type.Union([TimestampSchema, Type.Null()]),
    approvalStatement: Type.Union([Type.Object({ text: Type.String(), electoralPeriod: Type.String() }, { additionalProperties: false }), Type.Null()]),
    cancelledAt: Type.Union([TimestampSchema, Type.Null()]),
    /** The next time it sends (skipped ones excluded); null when none is left. */
    nextAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type RecurringBroadcastView = Type.Static<typeof RecurringBroadcastViewSchema>

/**
 * One occurrence as staff see it: `scheduled` (will send the series' text), `edited` (will send
 * its own text, approved), `edit-pending` (its own text awaits an approver: not sent until then),
 * `skipped`, `dispatched` (an ordinary broadcast, `broadcastId`), `refused` (not sent: why in
 * `reason`).
 */
export const OccurrenceViewSchema = Type.Object(
  {
    at: TimestampSchema,
    atLocal: Type.String(),
    state: Type.Union([
      Type.Literal('scheduled'),
      Type.Literal('edited'),
      Type.Literal('edit-pending'),
      Type.Literal('skipped'),
      Type.Literal('dispatched'),
      Type.Literal('refused'),
    ]),
    broadcastId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    draft: Type.Union([BroadcastDraftBodySchema, Type.Null()]),
    reason: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
)
export type OccurrenceView = Type.Static<typeof OccurrenceViewSchema>

/** The occurrence workflow's one input, fixed in the schedule's action. */
export const RecurringOccurrenceInputSchema = Type.Object(
  { version: Type.Literal(1), seriesId: Type.String({ format: 'uuid' }), tenant: TenantIdSchema },
  { additionalProperties: false },
)
export type RecurringOccurrenceInput = Type.Static<typeof RecurringOccurrenceInputSchema>

/** The worker asks: this occurrence of this series is due; what do I send? */
export const RecurringOccurrenceRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    seriesId: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    /** The schedule's nominal time of the occurrence: with the series, its key. */
    scheduledAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type RecurringOccurrenceRequest = Type.Static<typeof RecurringOccurrenceRequestSchema>
export const RecurringOccurrenceRequestContract = defineContract('RecurringOccurrenceRequest', RecurringOccurrenceRequestSchema)

/**
 * `send`: run this broadcast (the same answer however often asked: the broadcast row is keyed by
 * series and time); `skip`: send nothing, for `reason`; `ok: false`: try again later.
 */
export const RecurringOccurrenceReplySchema = Type.Union([
  Type.Object(
    { version: Type.Literal(1), ok: Type.Literal(true), outcome: Type.Literal('send'), run: BroadcastRunInputSchema },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      version: Type.Literal(1),
      ok: Type.Literal(true),
      outcome: Type.Literal('skip'),
      reason: Type.Union([
        Type.Literal('skipped'),
        Type.Literal('cancelled'),
        Type.Literal('not-approved'),
        Type.Literal('edit-not-approved'),
        Type.Literal('electoral-political-content'),
        Type.Literal('unknown-series'),
        Type.Literal('not-an-occurrence'),
      ]),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      version: Type.Literal(1),
      ok: Type.Literal(false),
      error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
])
export type RecurringOccurrenceReply = Type.Static<typeof RecurringOccurrenceReplySchema>
export const RecurringOccurrenceReplyContract = defineContract('RecurringOccurrenceReply', RecurringOccurrenceReplySchema)
