import Type from 'typebox'
import { CitizenAddressSchema, TenantIdSchema, TimestampSchema } from './common.js'
import { AudienceCountSchema } from './console-api.js'
import { LanguageSchema } from './tenant.js'
import { defineContract } from './validate.js'

const SendChannelSchema = Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')])

/**
 * A subscriber's state changed, on `subscription.changed.<tenant>`. Broadcasts keep their own
 * view of who opted out from these, so an unsubscribe takes effect before the next batch.
 */
export const SubscriptionChangedSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** Unique per change; the JetStream dedupe key. */
    id: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    subscriberId: Type.String({ minLength: 1 }),
    phone: CitizenAddressSchema,
    change: Type.Union([
      Type.Literal('subscribed'),
      Type.Literal('unsubscribed'),
      Type.Literal('topics-changed'),
      Type.Literal('language-changed'),
      Type.Literal('blocked'),
      Type.Literal('unblocked'),
      Type.Literal('whatsapp-stopped'),
      Type.Literal('erased'),
    ]),
    channel: SendChannelSchema,
    topics: Type.Optional(Type.Array(Type.String())),
    language: Type.Optional(LanguageSchema),
    occurredAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type SubscriptionChanged = Type.Static<typeof SubscriptionChangedSchema>
export const SubscriptionChangedContract = defineContract('SubscriptionChanged', SubscriptionChangedSchema)

/**
 * A number was erased, on `subscription.erased.<tenant>`: the worker replaces it with `phoneHash`
 * in its send ledger and opt-out cache and drops its pacing rows; moderation forgets the sender's
 * history. Published on every erasure, whether or not the number was a subscriber.
 */
export const DataSubjectErasedSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** `erasure:<tenant>:<phoneHash>:<erasedAt>`; the JetStream dedupe key. */
    id: Type.String({ minLength: 1 }),
    tenant: TenantIdSchema,
    /** The number erased: consumers need it to find their copies. */
    phone: CitizenAddressSchema,
    /** The keyed hash subscriptions keeps as the proof (HMAC-SHA256): what replaces the number. */
    phoneHash: Type.String({ minLength: 1 }),
    erasedAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type DataSubjectErased = Type.Static<typeof DataSubjectErasedSchema>
export const DataSubjectErasedContract = defineContract('DataSubjectErased', DataSubjectErasedSchema)

/**
 * Request (NATS request/reply on `subscriptions.audience.page`): one page of a broadcast's
 * audience. The first request for a `snapshotId` freezes the audience; later pages read that
 * snapshot, so the audience does not shift under a running broadcast.
 */
export const AudiencePageRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    tenant: TenantIdSchema,
    /** The broadcast's id: one snapshot per broadcast. */
    snapshotId: Type.String({ minLength: 1, maxLength: 200 }),
    /** Subscribers of any of these topics (always-on topics reach everyone). */
    topics: Type.Array(Type.String(), { minItems: 1 }),
    languages: Type.Optional(Type.Array(LanguageSchema)),
    channels: Type.Optional(Type.Array(SendChannelSchema)),
    /** Only those this safety poll asked who have not answered it. */
    unansweredPoll: Type.Optional(Type.String({ format: 'uuid' })),
    /** Opaque cursor from the previous page; absent for the first page. */
    after: Type.Optional(Type.String()),
    limit: Type.Integer({ minimum: 1, maximum: 5000 }),
  },
  { additionalProperties: false },
)
export type AudiencePageRequest = Type.Static<typeof AudiencePageRequestSchema>
export const AudiencePageRequestContract = defineContract('AudiencePageRequest', AudiencePageRequestSchema)

export const AudienceRecipientSchema = Type.Object(
  {
    subscriberId: Type.String(),
    phone: CitizenAddressSchema,
    channel: SendChannelSchema,
    language: LanguageSchema,
  },
  { additionalProperties: false },
)
export type AudienceRecipient = Type.Static<typeof AudienceRecipientSchema>

export const AudiencePageReplySchema = Type.Object(
  {
    version: Type.Literal(1),
    recipients: Type.Array(AudienceRecipientSchema),
    /** Cursor for the next page; absent on the last page. */
    next: Type.Optional(Type.String()),
    /** Size of the whole snapshot. */
    total: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
)
export type AudiencePageReply = Type.Static<typeof AudiencePageReplySchema>
export const AudiencePageReplyContract = defineContract('AudiencePageReply', AudiencePageReplySchema)

/**
 * Request (NATS request/reply on `subscriptions.audience.count`): how many subscribers the same
 * filters as an audience page reach, counted where they are stored. Nothing is written down and
 * no phone number leaves the service: the staff console's compose screen and dashboard ask it.
 */
export const AudienceCountRequestSchema = Type.Object(
  {
    version: Type.Literal(1),
    tenant: TenantIdSchema,
    /** Subscribers of any of these topics (always-on topics reach everyone). */
    topics: Type.Array(Type.String(), { minItems: 1 }),
    languages: Type.Optional(Type.Array(LanguageSchema)),
    channels: Type.Optional(Type.Array(SendChannelSchema)),
    /** Also count, for each topic asked, who receives it (under the same languages and channels). */
    byTopic: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
)
export type AudienceCountRequest = Type.Static<typeof AudienceCountRequestSchema>
export const AudienceCountRequestContract = defineContract('AudienceCountRequest', AudienceCountRequestSchema)

export const AudienceCountReplySchema = Type.Object(
  {
    version: Type.Literal(1),
    ...AudienceCountSchema.properties,
    /** Present when asked: topic id → subscribers receiving it (an always-on topic: everyone). */
    byTopic: Type.Optional(Type.Record(Type.String(), Type.Integer({ minimum: 0 }))),
  },
  { additionalProperties: false },
)
export type AudienceCountReply = Type.Static<typeof AudienceCountReplySchema>
export const AudienceCountReplyContract = defineContract('AudienceCountReply', AudienceCountReplySchema)
