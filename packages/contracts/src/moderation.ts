import Type from 'typebox'
import { ChannelSchema, CitizenAddressSchema, TenantIdSchema, TimestampSchema } from './common.js'
import { InboundMessageSchema } from './inbound.js'
import { defineContract } from './validate.js'

/**
 * Moderation's catalog: verdicts on inbound messages (`moderation.verdict.<tenant>`, stream
 * MODERATION), the outbound check the broadcast service asks by request/reply, and the NATS KV
 * bucket the active ruleset is published to.
 */
export const ModerationSubjects = {
  /** Request/reply: check a broadcast draft against the outbound policy. */
  checkOutbound: 'moderation.check.outbound',
} as const

/** Where `rules publish` puts the ruleset bundle and the running service watches for it. */
export const ModerationKv = {
  bucket: 'moderation-rulesets',
  /** The key holding the bundle in force; the bucket keeps a few older revisions. */
  activeKey: 'active',
  /** Every version published from the policy editors' bench: `meta.<seq>` (author, time, diff) and `bundle.<seq>`. */
  versionsBucket: 'moderation-ruleset-versions',
  /** Messages the rules sent to `review`, one key per message, with the staff's decision once taken. */
  reviewBucket: 'moderation-review',
} as const

/**
 * The sender history every moderation replica shares (SENDER_HISTORY=kv): one key per tenant and
 * sender (`<tenant>.<sha256 of the number>`), holding their recent normalized texts (a day) and
 * violation times; entries expire after the violation memory.
 */
export const SenderHistoryKv = {
  bucket: 'moderation-sender-history',
} as const

/** The categories the five municipal policies name. Rule files may use only these. */
export const MODERATION_CATEGORIES = [
  'offensive-language',
  'threats-violence',
  'defamation',
  'personal-data',
  'obscene-content',
  'discrimination',
  'illegal-activity',
  'commercial-promotion',
  'political-propaganda',
  'spam',
  'off-topic-link',
  'copyright',
  'fundraising',
  'alarmism',
] as const
export const ModerationCategorySchema = Type.Enum(MODERATION_CATEGORIES)
export type ModerationCategory = (typeof MODERATION_CATEGORIES)[number]

/**
 * What happens to the message, from mildest to most severe; each step implies the ones before
 * it except `review`: `delete` drops the message (not processed further), `block` also blocks the
 * sender, `report` also flags message and sender for the authorities.
 *
 * A verdict is never a reason to drop an unsubscribe request: subscriptions carries out the
 * opt-out keyword before it honours the verdict.
 */
export const MODERATION_ACTIONS = ['allow', 'review', 'delete', 'block', 'report'] as const
export const ModerationActionSchema = Type.Enum(MODERATION_ACTIONS)
export type ModerationAction = (typeof MODERATION_ACTIONS)[number]

/** A content hash of every file of the ruleset (`sha256:` and 16 hex digits). */
export const RulesetVersionSchema = Type.String({ pattern: '^sha256:[0-9a-f]{16}$' })

/**
 * One condition of a fired rule that held, with its evidence: the words a lexicon, phrase or
 * pattern matched, the classifier's score against the rule's threshold (and the features that
 * pushed it up), or the fact's value for any other condition.
 */
export const ModerationConditionExplanationSchema = Type.Object(
  {
    /** The fact the condition reads (`stems`, `classifier.threats-violence`, `senderPastViolations`). */
    fact: Type.String({ minLength: 1 }),
    operator: Type.String({ minLength: 1 }),
    /** The condition's value as the rule file writes it (a lexicon name, a threshold, patterns). */
    value: Type.Unknown(),
    /** Lexicon terms (as their file writes them) or pattern matches that made it hold. */
    matched: Type.Optional(Type.Array(Type.String())),
    /** The message's words (normalized, or their stems) where the terms matched. */
    words: Type.Optional(Type.Array(Type.String())),
    /** A classifier fact: the score, 0 to 1, and the rule's threshold. */
    score: Type.Optional(Type.Number()),
    threshold: Type.Optional(Type.Number()),
    /** A classifier fact: the message's features that pushed the score up the most. */
    features: Type.Optional(Type.Array(Type.String())),
    /** Any other fact: its value for this message (counts, ratios, flags, domains). */
    observed: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false },
)
export type ModerationConditionExplanation = Type.Static<typeof ModerationConditionExplanationSchema>

/** Why one rule fired: the conditions of it that held. */
export const ModerationExplanationSchema = Type.Object(
  {
    rule: Type.String({ minLength: 1 }),
    category: Type.Optional(ModerationCategorySchema),
    conditions: Type.Array(ModerationConditionExplanationSchema),
  },
  { additionalProperties: false },
)
export type ModerationExplanation = Type.Static<typeof ModerationExplanationSchema>

/**
 * Moderation's decision on one inbound message, on `moderation.verdict.<tenant>`, published with
 * `Nats-Msg-Id` = `messageId`. The message travels inside, so subscriptions reads one stream.
 */
export const ModerationVerdictSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** The InboundMessage id. */
    messageId: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    from: CitizenAddressSchema,
    channel: ChannelSchema,
    action: ModerationActionSchema,
    /** Every category a rule found, sorted; empty when the action is `allow`. */
    categories: Type.Array(ModerationCategorySchema),
    /** The names of the rules that fired, most severe first. */
    rules: Type.Array(Type.String({ minLength: 1 })),
    rulesetVersion: RulesetVersionSchema,
    /**
     * Why each rule of `rules` fired, in the same order (optional: verdicts of version 1 without
     * it stay valid). Holds words of the message, as `message` does.
     */
    explanations: Type.Optional(Type.Array(ModerationExplanationSchema)),
    decidedAt: TimestampSchema,
    message: InboundMessageSchema,
  },
  { additionalProperties: false },
)
export type ModerationVerdict = Type.Static<typeof ModerationVerdictSchema>
export const ModerationVerdictContract = defineContract('ModerationVerdict', ModerationVerdictSchema)

/** What staff may decide on a message the rules sent to review. */
export const ReviewActionSchema = Type.Union([Type.Literal('allow'), Type.Literal('delete'), Type.Literal('block')])
export type ReviewAction = Type.Static<typeof ReviewActionSchema>

/**
 * Event (`moderation.review.<tenant>`, stream MODERATION): staff decided on a message in the
 * review queue. `Nats-Msg-Id` = `id`, one per item: the first decision is the only one.
 * Subscriptions blocks the sender on `block`, as the desk's block does.
 */
export const ReviewDecidedSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** `review:<tenant>:<item id>`. */
    id: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    /** The InboundMessage id the decision is about. */
    messageId: Type.String({ minLength: 1 }),
    /** The sender, E.164. */
    from: CitizenAddressSchema,
    action: ReviewActionSchema,
    reason: Type.String({ minLength: 1 }),
    /** The audit trail's actor who decided. */
    by: Type.String({ minLength: 1 }),
    at: TimestampSchema,
  },
  { additionalProperties: false },
)
export type ReviewDecided = Type.Static<typeof ReviewDecidedSchema>
export const ReviewDecidedContract = defineContract('ReviewDecided', ReviewDecidedSchema)

/** A language code as the tenant's configuration spells it (`it`, `fr`). */
export const LanguageCodeSchema = Type.String({ pattern: '^[a-z]{2}$' })

/** A broadcast draft to check before it is approved: one text per language. */
export const OutboundCheckRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    tenant: TenantIdSchema,
    texts: Type.Record(LanguageCodeSchema, Type.String()),
    /** The broadcast's id, for logs only. */
    broadcastId: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
)
export type OutboundCheckRequest = Type.Static<typeof OutboundCheckRequestSchema>
export const OutboundCheckRequestContract = defineContract('OutboundCheckRequest', OutboundCheckRequestSchema)

export const OutboundFindingSchema = Type.Object(
  {
    language: LanguageCodeSchema,
    categories: Type.Array(ModerationCategorySchema),
    rules: Type.Array(Type.String()),
  },
  { additionalProperties: false },
)
export type OutboundFinding = Type.Static<typeof OutboundFindingSchema>

/** The outbound check's answer; `ok: false` when the request itself could not be checked. */
export const OutboundCheckReplySchema = Type.Union([
  Type.Object(
    {
      version: Type.Literal(1),
      ok: Type.Literal(true),
      /** True when any text has a flagged category. */
      flagged: Type.Boolean(),
      categories: Type.Array(ModerationCategorySchema),
      /** One entry per language that has findings. */
      findings: Type.Array(OutboundFindingSchema),
      rulesetVersion: RulesetVersionSchema,
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
export type OutboundCheckReply = Type.Static<typeof OutboundCheckReplySchema>
export const OutboundCheckReplyContract = defineContract('OutboundCheckReply', OutboundCheckReplySchema)

/**
 * What `rules publish` puts into the KV bucket: every file of `rules/` (schemas, rules, cases,
 * lexicons, tenant profiles) as text, keyed by its path relative to `rules/`. The service
 * compiles it with the same loader as the directory, so a bundle is refused for the same reasons.
 */
export const RulesetBundleSchema = Type.Object(
  {
    version: Type.Literal(1),
    rulesetVersion: RulesetVersionSchema,
    createdAt: TimestampSchema,
    files: Type.Record(Type.String({ minLength: 1 }), Type.String()),
  },
  { additionalProperties: false },
)
export type RulesetBundle = Type.Static<typeof RulesetBundleSchema>
export const RulesetBundleContract = defineContract('RulesetBundle', RulesetBundleSchema)
