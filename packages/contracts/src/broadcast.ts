import Type from 'typebox'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { BroadcastContentSchema } from './broadcast-content.js'
import { LanguageSchema } from './tenant.js'
import { defineContract } from './validate.js'

export * from './broadcast-api.js'
export * from './broadcast-content.js'

/**
 * The broadcast catalog shared by the staff API (services/broadcast), which starts and steers
 * the workflow, and the worker (workflows/), which runs it: names, ids, the workflow input and
 * the progress it answers queries with.
 */
export const BroadcastWorkflow = {
  /** The workflow type the worker registers. */
  type: 'massBroadcastWorkflow',
  /** One execution per broadcast: starting it twice is refused by Temporal. */
  workflowId: (tenant: string, broadcastId: string) => `broadcast:${tenant}:${broadcastId}`,
  signals: { pause: 'pause', resume: 'resume', cancel: 'cancel' },
  queries: { progress: 'progress' },
} as const
export type BroadcastSignalName = (typeof BroadcastWorkflow.signals)[keyof typeof BroadcastWorkflow.signals]
export type BroadcastQueryName = (typeof BroadcastWorkflow.queries)[keyof typeof BroadcastWorkflow.queries]

/**
 * The send-ledger id a broadcast send carries (WhatsApp biz_opaque_callback_data, the SMS
 * status callback's `correlation`): `bc:<broadcastId>:<ledgerId>`. Statuses that come back with
 * it update exactly that ledger row; the prefix `bc:<broadcastId>:` selects a broadcast.
 */
export const broadcastCorrelation = (broadcastId: string, ledgerId: number) => `bc:${broadcastId}:${ledgerId}`
export const broadcastCorrelationPrefix = (broadcastId: string) => `bc:${broadcastId}:`

/** The broadcast and ledger row a correlation names, or undefined when it is not a broadcast's. */
export function parseBroadcastCorrelation(correlation: string): { broadcastId: string; ledgerId: number } | undefined {
  const match = /^bc:([0-9a-f-]{36}):([1-9][0-9]{0,15})$/.exec(correlation)
  if (!match) return undefined
  return { broadcastId: match[1] as string, ledgerId: Number(match[2]) }
}

export const SendChannelSchema = Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')])
export type SendChannel = Type.Static<typeof SendChannelSchema>


export const BroadcastRunCountsSchema = Type.Object(
  {
    /** Recipients read from the audience snapshot so far. */
    processed: Type.Integer({ minimum: 0 }),
    /** Accepted by the provider in this broadcast (each recipient once). */
    accepted: Type.Integer({ minimum: 0 }),
    failed: Type.Integer({ minimum: 0 }),
    skipped: Type.Integer({ minimum: 0 }),
    /** Left for the remainder pass: transient failures and ambiguous sends. */
    deferred: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type BroadcastRunCounts = Type.Static<typeof BroadcastRunCountsSchema>

/** Where a run stands; carried across continue-as-new so each run's history stays small. */
export const BroadcastRunCheckpointSchema = Type.Object(
  {
    phase: Type.Union([Type.Literal('audience'), Type.Literal('remainder')]),
    /** The audience cursor of the next page; absent before the first page. */
    cursor: Type.Optional(Type.String()),
    total: Type.Optional(Type.Integer({ minimum: 0 })),
    counts: BroadcastRunCountsSchema,
    paused: Type.Boolean(),
    /** Runs before this one (continue-as-new). */
    generation: Type.Integer({ minimum: 0 }),
    startedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type BroadcastRunCheckpoint = Type.Static<typeof BroadcastRunCheckpointSchema>

/** The workflow's one input: what to send to whom, frozen at approval. */
export const BroadcastRunInputSchema = Type.Object(
  {
    version: Type.Literal(1),
    broadcastId: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    topics: Type.Array(Type.String({ minLength: 1 }), { minItems: 1 }),
    /** Restricts the audience to these languages; absent: every language. */
    languages: Type.Optional(Type.Array(LanguageSchema)),
    /** The language whose variant a recipient gets when there is none in theirs. */
    defaultLanguage: LanguageSchema,
    content: BroadcastContentSchema,
    /** Citizens answer it (a safety poll): SMS go from the number, never an alphanumeric sender ID. */
    answerable: Type.Optional(Type.Boolean()),
    /** Only those this safety poll asked who have not answered it (the poll's reminder). */
    unansweredPoll: Type.Optional(Type.String({ format: 'uuid' })),
    /** Start no earlier than this; absent: now. */
    sendAt: Type.Optional(TimestampSchema),
    /** `emergency`: the rate limiter's first lane, ahead of every routine send of the sender. */
    priority: Type.Optional(Type.Union([Type.Literal('routine'), Type.Literal('emergency')])),
    checkpoint: Type.Optional(BroadcastRunCheckpointSchema),
    /**
     * The tenant's quiet hours as absolute intervals (from the run's start on): a routine run
     * that reaches one pauses until its end and resumes by itself. Absent: none (emergencies).
     */
    quietWindows: Type.Optional(Type.Array(Type.Object({ from: TimestampSchema, until: TimestampSchema }, { additionalProperties: false }), { maxItems: 400 })),
  },
  { additionalProperties: false },
)
export type BroadcastRunInput = Type.Static<typeof BroadcastRunInputSchema>
export const BroadcastRunInputContract = defineContract('BroadcastRunInput', BroadcastRunInputSchema)

export const BroadcastRunStateSchema = Type.Union([
  Type.Literal('scheduled'),
  Type.Literal('sending'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
])
export type BroadcastRunState = Type.Static<typeof BroadcastRunStateSchema>

/** The answer to the `progress` query. */
export const BroadcastRunProgressSchema = Type.Object(
  {
    broadcastId: Type.String(),
    state: BroadcastRunStateSchema,
    phase: Type.Union([Type.Literal('audience'), Type.Literal('remainder')]),
    total: Type.Optional(Type.Integer({ minimum: 0 })),
    counts: BroadcastRunCountsSchema,
    generation: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type BroadcastRunProgress = Type.Static<typeof BroadcastRunProgressSchema>
