import Type from 'typebox'
import { BroadcastContentSchema } from './broadcast-content.js'
import { TenantIdSchema, TimestampSchema } from './common.js'
import { ModerationCategorySchema, OutboundFindingSchema } from './moderation.js'
import { LanguageSchema } from './tenant.js'
import { StaffRoleSchema } from './staff-identity.js'

/**
 * The staff HTTP API of services/broadcast (served with OpenAPI at /docs). Request bodies are
 * closed objects; responses list every field a client may rely on.
 */

export const ApiTokenSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    /** The municipality the token acts for; null: a platform admin, for every tenant. */
    tenant: Type.Union([TenantIdSchema, Type.Null()]),
    role: StaffRoleSchema,
    /** Who holds it (staff e-mail or office): four eyes compare holders, not tokens. */
    holder: Type.String(),
    label: Type.String(),
    createdAt: TimestampSchema,
    revokedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type ApiToken = Type.Static<typeof ApiTokenSchema>

export const CreateApiTokenBodySchema = Type.Object(
  {
    tenant: Type.Optional(TenantIdSchema),
    role: StaffRoleSchema,
    holder: Type.String({ minLength: 3, maxLength: 200 }),
    label: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)
export type CreateApiTokenBody = Type.Static<typeof CreateApiTokenBodySchema>

export const CreatedApiTokenSchema = Type.Object(
  {
    ...ApiTokenSchema.properties,
    /** The secret, shown this once: only its hash is stored. */
    token: Type.String(),
  },
  { additionalProperties: false },
)

/** What an operator writes: the same body creates a draft and replaces it. */
export const BroadcastDraftBodySchema = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200, description: 'for staff only; citizens never see it' }),
    topics: Type.Array(Type.String({ pattern: '^[a-z0-9-]+$' }), { minItems: 1, uniqueItems: true }),
    languages: Type.Optional(Type.Array(LanguageSchema, { minItems: 1, uniqueItems: true })),
    ...BroadcastContentSchema.properties,
  },
  { additionalProperties: false },
)
export type BroadcastDraftBody = Type.Static<typeof BroadcastDraftBodySchema>

export const BroadcastStatusSchema = Type.Union([
  Type.Literal('draft'),
  Type.Literal('approved'),
  Type.Literal('scheduled'),
  Type.Literal('sending'),
  Type.Literal('paused'),
  Type.Literal('completed'),
  Type.Literal('cancelled'),
])
export type BroadcastStatus = Type.Static<typeof BroadcastStatusSchema>

/** The outbound policy's view of the draft (moderation.check.outbound). */
export const OutboundCheckViewSchema = Type.Object(
  {
    /** `unavailable`: moderation did not answer; an approver must acknowledge it. */
    state: Type.Union([Type.Literal('clean'), Type.Literal('flagged'), Type.Literal('unavailable')]),
    categories: Type.Array(ModerationCategorySchema),
    findings: Type.Array(OutboundFindingSchema),
    rulesetVersion: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
    checkedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type OutboundCheckView = Type.Static<typeof OutboundCheckViewSchema>

export const BroadcastViewSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    tenant: TenantIdSchema,
    status: BroadcastStatusSchema,
    draft: BroadcastDraftBodySchema,
    outboundCheck: OutboundCheckViewSchema,
    createdBy: Type.String(),
    createdAt: TimestampSchema,
    updatedAt: TimestampSchema,
    approvedBy: Type.Union([Type.String(), Type.Null()]),
    approvedAt: Type.Union([TimestampSchema, Type.Null()]),
    /** The approver's statement during an electoral period (why impersonal and indispensable). */
    approvalStatement: Type.Optional(Type.Union([Type.Object({ text: Type.String(), electoralPeriod: Type.String() }, { additionalProperties: false }), Type.Null()])),
    sendAt: Type.Union([TimestampSchema, Type.Null()]),
    startedAt: Type.Union([TimestampSchema, Type.Null()]),
    finishedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type BroadcastView = Type.Static<typeof BroadcastViewSchema>

export const ApproveBodySchema = Type.Object(
  {
    /** Required when the outbound check flagged the draft or could not run. */
    acknowledgeFindings: Type.Optional(Type.Boolean()),
    note: Type.Optional(Type.String({ maxLength: 1000 })),
    /**
     * Required during an electoral period (Legge 28/2000, art. 9): why this communication is
     * impersonal and indispensable to the municipality's functions. Recorded with the broadcast.
     */
    statement: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
)

export const SendBodySchema = Type.Object(
  { at: Type.Optional(Type.String({ format: 'date-time', description: 'send at this time; absent: now' })) },
  { additionalProperties: false },
)

const Count = Type.Integer({ minimum: 0 })

/** Live progress: the send ledger's states, counted. Each recipient is in exactly one. */
export const BroadcastProgressSchema = Type.Object(
  {
    broadcastId: Type.String(),
    status: BroadcastStatusSchema,
    /** Audience size, once the snapshot is taken. */
    total: Type.Union([Count, Type.Null()]),
    /** Not yet handed to the provider (not yet read from the audience, pending, or sending). */
    queued: Count,
    accepted: Count,
    sent: Count,
    delivered: Count,
    read: Count,
    failed: Count,
    skipped: Count,
    failedByReason: Type.Record(Type.String(), Count),
    skippedByReason: Type.Record(Type.String(), Count),
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type BroadcastProgress = Type.Static<typeof BroadcastProgressSchema>

export const AuditEntrySchema = Type.Object(
  {
    at: TimestampSchema,
    action: Type.String(),
    /** The token id that acted, and its holder. */
    actor: Type.String(),
    holder: Type.String(),
    role: StaffRoleSchema,
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)
export type AuditEntry = Type.Static<typeof AuditEntrySchema>
