import Type from 'typebox'
import { CitizenAddressSchema, TenantIdSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * A privacy export gathers from every service that keeps something of a citizen: subscriptions
 * (which answers the staff and owns the subscriber) asks the worker and moderation over NATS
 * request/reply for what they hold of one number, and the export is complete only when both
 * answered. Nothing is logged with the number.
 */
export const PrivacySubjects = {
  /** Request/reply: PrivacyExportRequest → WorkerPrivacyExportReply (send ledger, opt-out cache, pacing). */
  workerExport: 'worker.privacy.export',
  /** Request/reply: PrivacyExportRequest → ModerationPrivacyExportReply (sender history, review items). */
  moderationExport: 'moderation.privacy.export',
} as const

/** Sends are answered a page at a time: a citizen of many years may have thousands. */
export const PRIVACY_EXPORT_SENDS_PAGE = 1000

export const PrivacyExportRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    tenant: TenantIdSchema,
    phone: CitizenAddressSchema,
    /** The worker's send-ledger page after this row id; absent: the first page, with the rest. */
    afterSendId: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
)
export type PrivacyExportRequest = Type.Static<typeof PrivacyExportRequestSchema>
export const PrivacyExportRequestContract = defineContract('PrivacyExportRequest', PrivacyExportRequestSchema)

const Row = Type.Record(Type.String(), Type.Unknown())
const ErrorReply = Type.Object(
  { version: Type.Literal(1), ok: Type.Literal(false), error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
)

/** What the worker holds of a number: each send of a broadcast or an alert to it, the opt-out it mirrors, its pacing. */
export const WorkerPrivacyExportSchema = Type.Object(
  {
    /** Send-ledger rows, oldest first, including those whose number retention already replaced by its keyed hash. */
    sends: Type.Array(Row),
    /** The next page's `afterSendId`; absent on the last page. */
    nextAfterSendId: Type.Optional(Type.Integer({ minimum: 0 })),
    /** The opt-out cache's row; first page only. */
    optOut: Type.Union([Row, Type.Null()]),
    /** When the next message to it may leave each sender number; first page only. */
    pacing: Type.Array(Row),
  },
  { additionalProperties: false },
)
export type WorkerPrivacyExport = Type.Static<typeof WorkerPrivacyExportSchema>
export const WorkerPrivacyExportReplySchema = Type.Union([
  Type.Object({ version: Type.Literal(1), ok: Type.Literal(true), data: WorkerPrivacyExportSchema }, { additionalProperties: false }),
  ErrorReply,
])
export type WorkerPrivacyExportReply = Type.Static<typeof WorkerPrivacyExportReplySchema>
export const WorkerPrivacyExportReplyContract = defineContract('WorkerPrivacyExportReply', WorkerPrivacyExportReplySchema)

/** What moderation holds of a sender: the recent (normalized) texts and violation times it decides with, and review items. */
export const ModerationPrivacyExportSchema = Type.Object(
  {
    senderHistory: Type.Union([
      Type.Object(
        {
          recentMessages: Type.Array(Type.Object({ at: Type.String(), text: Type.String() }, { additionalProperties: false })),
          violations: Type.Array(Type.String()),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
    reviewItems: Type.Array(Row),
  },
  { additionalProperties: false },
)
export type ModerationPrivacyExport = Type.Static<typeof ModerationPrivacyExportSchema>
export const ModerationPrivacyExportReplySchema = Type.Union([
  Type.Object({ version: Type.Literal(1), ok: Type.Literal(true), data: ModerationPrivacyExportSchema }, { additionalProperties: false }),
  ErrorReply,
])
export type ModerationPrivacyExportReply = Type.Static<typeof ModerationPrivacyExportReplySchema>
export const ModerationPrivacyExportReplyContract = defineContract('ModerationPrivacyExportReply', ModerationPrivacyExportReplySchema)
