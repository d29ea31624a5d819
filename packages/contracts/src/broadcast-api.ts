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

/**
 * What became of the sends whose outcome was unknown (ambiguous: a crash or a provider timeout
 * between the request and its answer). Each is counted once in `found`, then in at most one of
 * the others: confirmed by a provider status, resent once the status feed proved nothing was
 * sent, given up unresolved (never resent: a double is worse than a miss we can name), or still
 * waiting for a status.
 */
export const BroadcastAmbiguitySchema = Type.Object(
  { found: Count, confirmed: Count, resent: Count, unresolved: Count, waiting: Count },
  { additionalProperties: false },
)
export type BroadcastAmbiguity = Type.Static<typeof BroadcastAmbiguitySchema>

/**
 * One event of a run's own history, recorded by the worker:
 * - `interrupted`: a sending step stopped before it finished (the worker died, timed out or lost
 *   a dependency) and was resumed; `detail.attempt` is the attempt that resumed it;
 * - `ambiguous`: `count` sends found without a known outcome;
 * - `resent`: `count` of them sent again, the status feed having proved nothing was sent, or
 *   (`detail.withoutProof`, emergencies only) without that proof: a second alert beats a missed one;
 * - `unresolved`: `count` of them given up, never resent;
 * - `finished`: the run ended; `detail` has the final figures.
 */
export const BroadcastRunEventSchema = Type.Object(
  {
    at: TimestampSchema,
    kind: Type.Union([Type.Literal('interrupted'), Type.Literal('ambiguous'), Type.Literal('resent'), Type.Literal('unresolved'), Type.Literal('halted'), Type.Literal('finished')]),
    count: Count,
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)
export type BroadcastRunEvent = Type.Static<typeof BroadcastRunEventSchema>

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
    /** Times a sending step was interrupted and resumed (see the audit trail for when). */
    interruptions: Count,
    ambiguity: BroadcastAmbiguitySchema,
    /**
     * The outcome as far as the provider confirmed it: `pending` while the run is not over;
     * `confirmed` when it is over and every recipient has a status from the provider, a failure
     * with its reason, or a skip; `unconfirmed` when it is over but some sends are only accepted
     * (no status yet) or still ambiguous: `accepted` + `ambiguity.waiting` of them.
     */
    outcome: Type.Union([Type.Literal('pending'), Type.Literal('confirmed'), Type.Literal('unconfirmed')]),
    updatedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type BroadcastProgress = Type.Static<typeof BroadcastProgressSchema>

export const AuditEntrySchema = Type.Object(
  {
    at: TimestampSchema,
    action: Type.String(),
    /** The token id that acted, and its holder; `system` entries are the run's own events (`run-<kind>`, see BroadcastRunEvent). */
    actor: Type.String(),
    holder: Type.String(),
    role: Type.Union([StaffRoleSchema, Type.Literal('system')]),
    detail: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
)
export type AuditEntry = Type.Static<typeof AuditEntrySchema>
