import Type from 'typebox'
import { BroadcastContentSchema } from './broadcast-content.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * Safety polls: an emergency alert can ask citizens "1 Sto bene / 2 Ho bisogno di aiuto". The
 * worker's `emergencyAlertWorkflow` opens and closes the poll in subscriptions (which reads
 * citizens' answers, since it owns their conversation), asks it for the tally, sends the
 * reminder to those who have not answered and tells the staff on duty of help requests. The
 * poll's id is the alert's id.
 */

/** The two answers: `ok` ("1 Sto bene"), `help` ("2 Ho bisogno di aiuto"). */
export const SafetyPollAnswerSchema = Type.Union([Type.Literal('ok'), Type.Literal('help')])
export type SafetyPollAnswer = Type.Static<typeof SafetyPollAnswerSchema>

/** The quick-reply button payload of an answer, as the alert's WhatsApp template carries it. */
export const safetyPollPayload = (pollId: string, answer: SafetyPollAnswer) => `poll:${pollId}:${answer}`
const PAYLOAD = /^poll:([0-9a-f-]{36}):(ok|help)$/
/** Reads a quick-reply payload back: the poll and the answer, or undefined. */
export function readSafetyPollPayload(payload: string): { pollId: string; answer: SafetyPollAnswer } | undefined {
  const match = PAYLOAD.exec(payload)
  return match ? { pollId: match[1]!, answer: match[2] as SafetyPollAnswer } : undefined
}

/** What staff ask when they create an alert (`poll` in the draft). */
export const SafetyPollSettingsSchema = Type.Object(
  {
    /** A reminder goes to those who have not answered after this many seconds; absent: none. */
    reminderAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400 })),
    /** The poll takes answers for this long after the alert is triggered (default 6 hours). */
    openForSeconds: Type.Optional(Type.Integer({ minimum: 60, maximum: 259_200 })),
  },
  { additionalProperties: false },
)
export type SafetyPollSettings = Type.Static<typeof SafetyPollSettingsSchema>

export const SAFETY_POLL_DEFAULT_OPEN_SECONDS = 6 * 60 * 60

/** Subjects subscriptions answers on (request/reply, queue group `subscriptions`). */
export const SafetyPollSubjects = {
  /** Request/reply: SafetyPollStateRequest → SafetyPollStateReply. */
  state: 'subscriptions.poll.state',
  /** Request/reply: SafetyPollTallyRequest → SafetyPollTally. */
  tally: 'subscriptions.poll.tally',
} as const

/** Opens a poll (answers are read from then on) or closes it (answers after are ordinary messages). */
export const SafetyPollStateRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    tenant: TenantIdSchema,
    pollId: Type.String({ format: 'uuid' }),
    state: Type.Union([Type.Literal('open'), Type.Literal('closed')]),
    at: TimestampSchema,
    /** With `open`: when it stops taking answers by itself. */
    closesAt: Type.Optional(TimestampSchema),
  },
  { additionalProperties: false },
)
export type SafetyPollStateRequest = Type.Static<typeof SafetyPollStateRequestSchema>
export const SafetyPollStateRequestContract = defineContract('SafetyPollStateRequest', SafetyPollStateRequestSchema)

export const SafetyPollStateReplySchema = Type.Object(
  { version: Type.Literal(1), ok: Type.Boolean(), error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })) },
  { additionalProperties: false },
)
export type SafetyPollStateReply = Type.Static<typeof SafetyPollStateReplySchema>
export const SafetyPollStateReplyContract = defineContract('SafetyPollStateReply', SafetyPollStateReplySchema)

export const SafetyPollTallyRequestSchema = Type.Object(
  { version: Type.Literal(1), tenant: TenantIdSchema, pollId: Type.String({ format: 'uuid' }) },
  { additionalProperties: false },
)
export type SafetyPollTallyRequest = Type.Static<typeof SafetyPollTallyRequestSchema>
export const SafetyPollTallyRequestContract = defineContract('SafetyPollTallyRequest', SafetyPollTallyRequestSchema)

/** The poll's count: each citizen once, by their latest answer. */
export const SafetyPollTallySchema = Type.Object(
  {
    version: Type.Literal(1),
    pollId: Type.String(),
    /** `unknown`: subscriptions never heard of it (not opened yet). */
    state: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('unknown')]),
    ok: Type.Integer({ minimum: 0 }),
    help: Type.Integer({ minimum: 0 }),
    /** Help requests still open on the desk (nobody answered them yet). */
    helpWaiting: Type.Integer({ minimum: 0 }),
    openedAt: Type.Union([TimestampSchema, Type.Null()]),
    closesAt: Type.Union([TimestampSchema, Type.Null()]),
    lastAnswerAt: Type.Union([TimestampSchema, Type.Null()]),
    error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  },
  { additionalProperties: false },
)
export type SafetyPollTally = Type.Static<typeof SafetyPollTallySchema>
export const SafetyPollTallyContract = defineContract('SafetyPollTally', SafetyPollTallySchema)

/** The poll in the workflow's input (`EmergencyRunInput.poll`). */
export const SafetyPollRunSchema = Type.Object(
  {
    openForSeconds: Type.Integer({ minimum: 60 }),
    /** How often the workflow reads the tally (help requests to the staff on duty, the reminder). */
    checkEverySeconds: Type.Integer({ minimum: 1 }),
    reminderAfterSeconds: Type.Optional(Type.Integer({ minimum: 1 })),
    /** What the staff on duty receive when help requests come in: {count} new, {total} in all. */
    helpNotice: Type.Record(Type.String(), Type.String({ minLength: 1, maxLength: 1600 })),
    /** The reminder's content (the alert again, its SMS text marked as a reminder). */
    reminderContent: Type.Optional(BroadcastContentSchema),
  },
  { additionalProperties: false },
)
export type SafetyPollRun = Type.Static<typeof SafetyPollRunSchema>

/** The poll as staff see it with its alert: what was asked, and the live count (null before the trigger, or when subscriptions does not answer). */
export const SafetyPollViewSchema = Type.Object(
  {
    reminderAfterSeconds: Type.Union([Type.Integer(), Type.Null()]),
    openForSeconds: Type.Integer(),
    tally: Type.Union([
      Type.Object(
        {
          state: SafetyPollTallySchema.properties.state,
          ok: Type.Integer({ minimum: 0 }),
          help: Type.Integer({ minimum: 0 }),
          helpWaiting: Type.Integer({ minimum: 0 }),
          closesAt: Type.Union([TimestampSchema, Type.Null()]),
          lastAnswerAt: Type.Union([TimestampSchema, Type.Null()]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
)
export type SafetyPollView = Type.Static<typeof SafetyPollViewSchema>
