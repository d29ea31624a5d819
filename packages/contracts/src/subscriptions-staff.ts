import Type from 'typebox'
import { ChannelSchema, CitizenAddressSchema, TenantIdSchema, TimestampSchema } from './common.js'
import { LanguageSchema } from './tenant.js'
import { ModerationPrivacyExportSchema } from './privacy-export.js'
import { defineContract } from './validate.js'

/**
 * The subscriptions service's staff HTTP API (bearer staff tokens): the desk, blocks, removals,
 * and the data-subject export and erasure. Phone numbers travel in request bodies, never in
 * URLs, so they stay out of access logs; staff may type them in any usual form (`366 769 5184`).
 */

const StaffPhoneSchema = Type.String({ minLength: 3, maxLength: 40 })
const ReasonSchema = Type.String({ minLength: 3, maxLength: 500 })

export const BlockSenderRequestSchema = Type.Object({ phone: StaffPhoneSchema, reason: ReasonSchema }, { additionalProperties: false })
export type BlockSenderRequest = Type.Static<typeof BlockSenderRequestSchema>
export const BlockSenderRequestContract = defineContract('BlockSenderRequest', BlockSenderRequestSchema)

export const UnblockSenderRequestSchema = Type.Object({ phone: StaffPhoneSchema }, { additionalProperties: false })
export type UnblockSenderRequest = Type.Static<typeof UnblockSenderRequestSchema>
export const UnblockSenderRequestContract = defineContract('UnblockSenderRequest', UnblockSenderRequestSchema)

/** Removing a subscriber ex officio (Calcinato: "cancellare d'ufficio"). */
export const RemoveSubscriberRequestSchema = Type.Object({ phone: StaffPhoneSchema, reason: ReasonSchema }, { additionalProperties: false })
export type RemoveSubscriberRequest = Type.Static<typeof RemoveSubscriberRequestSchema>
export const RemoveSubscriberRequestContract = defineContract('RemoveSubscriberRequest', RemoveSubscriberRequestSchema)

export const DataSubjectRequestSchema = Type.Object(
  { phone: StaffPhoneSchema, reason: Type.Optional(ReasonSchema) },
  { additionalProperties: false },
)
export type DataSubjectRequest = Type.Static<typeof DataSubjectRequestSchema>
export const DataSubjectRequestContract = defineContract('DataSubjectRequest', DataSubjectRequestSchema)

/** What a staff action on a sender changed. */
export const SenderActionResultSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    subscriberId: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
    blocked: Type.Boolean(),
    changed: Type.Boolean(),
  },
  { additionalProperties: false },
)
export type SenderActionResult = Type.Static<typeof SenderActionResultSchema>

export const DeskMessageSchema = Type.Object(
  {
    id: Type.String(),
    tenant: TenantIdSchema,
    from: CitizenAddressSchema,
    channel: ChannelSchema,
    language: LanguageSchema,
    /** Null once the retention period has passed. */
    text: Type.Union([Type.String(), Type.Null()]),
    media: Type.Array(Type.Object({ kind: Type.String(), ref: Type.String(), caption: Type.Optional(Type.String()) })),
    /** Moderation's action: `review` messages are shown flagged. */
    moderation: Type.String(),
    receivedAt: TimestampSchema,
    status: Type.Union([Type.Literal('open'), Type.Literal('answered')]),
    answeredAt: Type.Union([TimestampSchema, Type.Null()]),
    answeredBy: Type.Union([Type.String(), Type.Null()]),
    answer: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
)
export type DeskMessage = Type.Static<typeof DeskMessageSchema>

export const DeskMessageListSchema = Type.Object({ messages: Type.Array(DeskMessageSchema) }, { additionalProperties: false })
export type DeskMessageList = Type.Static<typeof DeskMessageListSchema>

export const DeskAnswerRequestSchema = Type.Object({ text: Type.String({ minLength: 1, maxLength: 4096 }) }, { additionalProperties: false })
export type DeskAnswerRequest = Type.Static<typeof DeskAnswerRequestSchema>
export const DeskAnswerRequestContract = defineContract('DeskAnswerRequest', DeskAnswerRequestSchema)

export const DeskAnswerResultSchema = Type.Object(
  { deskMessageId: Type.String(), replyId: Type.String(), answeredAt: TimestampSchema },
  { additionalProperties: false },
)
export type DeskAnswerResult = Type.Static<typeof DeskAnswerResultSchema>

/**
 * Everything held about one phone number in one tenant (GDPR art. 15 access, art. 20
 * portability), from every service: subscriptions' own records, the worker's sends, opt-out
 * cache and pacing, moderation's sender history and review items.
 */
const Sha256HexSchema = Type.String({ pattern: '^[0-9a-f]{64}$' })

/**
 * A consent receipt's inclusion proof in its day's Merkle tree (RFC 6962 section 2.1.1, audit
 * path): the leaf is the record's hash (the 32 bytes after `sha256:`) at `leafIndex` among the
 * `treeSize` records of `day` in chain order; hashing up the path must give `merkleRoot`, the
 * root registered for that day (`consentChainRoots`). Hashes are lowercase hex.
 */
export const ConsentReceiptProofSchema = Type.Object(
  {
    /** `YYYY-MM-DD`, Europe/Rome: the day whose root covers the receipt. */
    day: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' }),
    leafIndex: Type.Integer({ minimum: 0 }),
    treeSize: Type.Integer({ minimum: 1 }),
    auditPath: Type.Array(Sha256HexSchema),
    merkleRoot: Sha256HexSchema,
  },
  { additionalProperties: false },
)
export type ConsentReceiptProof = Type.Static<typeof ConsentReceiptProofSchema>
export const ConsentReceiptProofContract = defineContract('ConsentReceiptProof', ConsentReceiptProofSchema)

export const DataSubjectExportSchema = Type.Object(
  {
    /** 3: each consent record carries `proof` (its inclusion proof, or null), each root `merkleRoot`. */
    version: Type.Literal(3),
    tenant: TenantIdSchema,
    phone: CitizenAddressSchema,
    exportedAt: TimestampSchema,
    subscriber: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    /**
     * The consent records as stored, each with `proof`: a ConsentReceiptProof once its day's root
     * was written with a Merkle root, otherwise null.
     */
    consentLedger: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    /**
     * The consent chain's day roots covering these records (none until a record's day closed);
     * `merkleRoot` is null for roots written before Merkle roots were (2026-12-16).
     */
    consentChainRoots: Type.Array(
      Type.Object(
        {
          day: Type.String(),
          headSeq: Type.Integer({ minimum: 1 }),
          headHash: Type.String(),
          records: Type.Integer({ minimum: 1 }),
          merkleRoot: Type.Union([Sha256HexSchema, Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    pendingConfirmations: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    deskMessages: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    /** Answers to emergencies' safety polls ("1 Sto bene / 2 Ho bisogno di aiuto"), one per alert. */
    safetyPollAnswers: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    /** Every broadcast and alert sent to the number (the worker's send ledger), oldest first. */
    sends: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    /** The worker's copy of the opt-out, used to skip the number in a running broadcast. */
    optOutCache: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    pacing: Type.Array(Type.Record(Type.String(), Type.Unknown())),
    moderation: ModerationPrivacyExportSchema,
  },
  { additionalProperties: false },
)
export type DataSubjectExport = Type.Static<typeof DataSubjectExportSchema>

/**
 * A tenant's consent chain recomputed (`GET /staff/:tenant/privacy/consent-ledger/verify`): each
 * consent and withdrawal record is hashed with the previous one's hash, so an edited, inserted or
 * removed record breaks the chain at that record.
 */
export const ConsentChainVerificationSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    valid: Type.Boolean(),
    /** Records that verified before the first broken link (all of them when valid). */
    recordsVerified: Type.Integer({ minimum: 0 }),
    /** The chain's last hash (`sha256:<hex>`): what a municipality may register in its protocol. */
    headHash: Type.String(),
    firstBrokenLink: Type.Union([
      Type.Object(
        {
          /** The ledger row; null when the chain's head does not match its last record. */
          id: Type.Union([Type.Integer(), Type.Null()]),
          chainSeq: Type.Union([Type.Integer(), Type.Null()]),
          reason: Type.Union([
            Type.Literal('unchained'),
            Type.Literal('sequence-gap'),
            Type.Literal('prev-hash-mismatch'),
            Type.Literal('hash-mismatch'),
            Type.Literal('evidence-mismatch'),
            Type.Literal('head-mismatch'),
          ]),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ]),
  },
  { additionalProperties: false },
)
export type ConsentChainVerification = Type.Static<typeof ConsentChainVerificationSchema>

/** What erasure removed and the anonymised proof it kept. */
export const ErasureResultSchema = Type.Object(
  {
    tenant: TenantIdSchema,
    erasedAt: TimestampSchema,
    /** Keyed hash of the number: the proof of withdrawal left in the consent ledger. */
    phoneHash: Type.String(),
    subscriberDeleted: Type.Boolean(),
    consentRowsAnonymised: Type.Integer({ minimum: 0 }),
    deskMessagesDeleted: Type.Integer({ minimum: 0 }),
    pendingConfirmationsDeleted: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type ErasureResult = Type.Static<typeof ErasureResultSchema>
