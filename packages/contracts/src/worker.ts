import Type from 'typebox'
import { BroadcastAmbiguitySchema, BroadcastRunEventSchema, BroadcastRunStateSchema } from './broadcast.js'
import { TimestampSchema } from './common.js'
import { TimelineEntrySchema } from './emergency.js'
import { defineContract } from './validate.js'

/**
 * What the worker answers about the data it owns (its `worker` schema), over NATS request/reply
 * in the queue group `worker`: any worker instance answers from the tables, so the answer does
 * not depend on the run's workflow being open. The staff API asks; it never reads those tables.
 */
export const WorkerSubjects = {
  /** Request/reply: BroadcastRunsRequest → BroadcastRunsReply. */
  broadcastRuns: 'worker.broadcast.runs',
  /** Request/reply: EmergencyRunRequest → EmergencyRunReply. */
  emergencyRun: 'worker.emergency.run',
  /** Request/reply: BroadcastFailuresRequest → BroadcastFailuresReply (a page of failed sends). */
  broadcastFailures: 'worker.broadcast.failures',
} as const

/** The queue group the worker's responders join: one instance answers each request. */
export const WORKER_RESPONDERS = 'worker'

const CountsSchema = Type.Record(Type.String(), Type.Integer({ minimum: 0 }))
const ErrorReplySchema = Type.Object(
  {
    version: Type.Literal(1),
    ok: Type.Literal(false),
    error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
)

/**
 * Where some broadcasts' runs stand; with `ledger`, their send ledgers counted and their run
 * events too; with `events` alone, only the run events (an audit trail needs no counting).
 */
export const BroadcastRunsRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    broadcastIds: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: 200 }),
    ledger: Type.Boolean(),
    events: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type BroadcastRunsRequest = Type.Static<typeof BroadcastRunsRequestSchema>
export const BroadcastRunsRequestContract = defineContract('BroadcastRunsRequest', BroadcastRunsRequestSchema)

export const BroadcastLedgerCountsSchema = Type.Object(
  {
    /** Recipients by ledger state (pending, sending, accepted, sent, delivered, read, failed, skipped). */
    byState: CountsSchema,
    failedByReason: CountsSchema,
    skippedByReason: CountsSchema,
    /** What became of the ambiguous sends. */
    ambiguity: Type.Optional(BroadcastAmbiguitySchema),
  },
  { additionalProperties: false },
)
export type BroadcastLedgerCounts = Type.Static<typeof BroadcastLedgerCountsSchema>

export const BroadcastRunViewSchema = Type.Object(
  {
    broadcastId: Type.String({ format: 'uuid' }),
    state: BroadcastRunStateSchema,
    /** Audience size, once the first page was read. */
    total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    startedAt: TimestampSchema,
    finishedAt: Type.Union([TimestampSchema, Type.Null()]),
    ledger: Type.Optional(BroadcastLedgerCountsSchema),
    /** The run's own history (interruptions, ambiguous sends...), with the ledger. */
    events: Type.Optional(Type.Array(BroadcastRunEventSchema, { maxItems: 500 })),
  },
  { additionalProperties: false },
)
export type BroadcastRunView = Type.Static<typeof BroadcastRunViewSchema>

/** One entry per requested broadcast that has a run (none before the workflow's first step). */
export const BroadcastRunsReplySchema = Type.Union([
  Type.Object({ version: Type.Literal(1), ok: Type.Literal(true), runs: Type.Array(BroadcastRunViewSchema) }, { additionalProperties: false }),
  ErrorReplySchema,
])
export type BroadcastRunsReply = Type.Static<typeof BroadcastRunsReplySchema>
export const BroadcastRunsReplyContract = defineContract('BroadcastRunsReply', BroadcastRunsReplySchema)

export const EmergencyRunRequestSchema = Type.Object({ version: Type.Literal(1), alertId: Type.String({ format: 'uuid' }) }, { additionalProperties: false })
export type EmergencyRunRequest = Type.Static<typeof EmergencyRunRequestSchema>
export const EmergencyRunRequestContract = defineContract('EmergencyRunRequest', EmergencyRunRequestSchema)

const ChannelMessagesSchema = Type.Object(
  { sent: Type.Integer({ minimum: 0 }), delivered: Type.Integer({ minimum: 0 }), failed: Type.Integer({ minimum: 0 }) },
  { additionalProperties: false },
)

/** An alert's run: its state and acknowledgement (null before the worker recorded any), its steps, its messages. */
export const EmergencyRunReplySchema = Type.Union([
  Type.Object(
    {
      version: Type.Literal(1),
      ok: Type.Literal(true),
      alertId: Type.String({ format: 'uuid' }),
      state: Type.Union([Type.Literal('active'), Type.Literal('closed'), Type.Null()]),
      acknowledgedBy: Type.Union([Type.String(), Type.Null()]),
      acknowledgedAt: Type.Union([TimestampSchema, Type.Null()]),
      /** The worker's steps, oldest first (the staff API adds its own: created, triggered...). */
      entries: Type.Array(TimelineEntrySchema),
      /** The citizens' send and its SMS fallback, per channel. */
      messages: Type.Object({ whatsapp: ChannelMessagesSchema, sms: ChannelMessagesSchema }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  ),
  ErrorReplySchema,
])
export type EmergencyRunReply = Type.Static<typeof EmergencyRunReplySchema>
export const EmergencyRunReplyContract = defineContract('EmergencyRunReply', EmergencyRunReplySchema)

/** A page of a broadcast's failed sends, in ledger order: after the `after` of the previous page. */
export const BroadcastFailuresRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    broadcastId: Type.String({ format: 'uuid' }),
    /** The `next` of the previous page; absent for the first. */
    after: Type.Optional(Type.Integer({ minimum: 0 })),
    limit: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false },
)
export type BroadcastFailuresRequest = Type.Static<typeof BroadcastFailuresRequestSchema>
export const BroadcastFailuresRequestContract = defineContract('BroadcastFailuresRequest', BroadcastFailuresRequestSchema)

export const BroadcastFailureSchema = Type.Object(
  {
    /** The recipient's number, E.164: personal data, for the roles allowed to see it. */
    phone: Type.String(),
    channel: Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')]),
    /** The ledger's reason (`invalid-number`, `provider:131026`, `retries-exhausted: ...`). */
    reason: Type.String(),
    /** When the send failed. */
    at: TimestampSchema,
  },
  { additionalProperties: false },
)
export type BroadcastFailure = Type.Static<typeof BroadcastFailureSchema>

/** `next`: the `after` of the following page; null on the last. */
export const BroadcastFailuresReplySchema = Type.Union([
  Type.Object(
    { version: Type.Literal(1), ok: Type.Literal(true), failures: Type.Array(BroadcastFailureSchema), next: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]) },
    { additionalProperties: false },
  ),
  ErrorReplySchema,
])
export type BroadcastFailuresReply = Type.Static<typeof BroadcastFailuresReplySchema>
export const BroadcastFailuresReplyContract = defineContract('BroadcastFailuresReply', BroadcastFailuresReplySchema)
