import type { TSchema } from 'typebox'
import { DeliveryStatusContract, InboundMessageContract, UnroutedWebhookContract } from './inbound.js'
import { ModerationSubjects, ModerationVerdictContract, OutboundCheckReplyContract, OutboundCheckRequestContract, ReviewDecidedContract } from './moderation.js'
import { OutboundReplyContract } from './outbound.js'
import { RecurringOccurrenceReplyContract, RecurringOccurrenceRequestContract, RecurringSubjects } from './recurring-broadcast.js'
import { SafetyPollStateReplyContract, SafetyPollStateRequestContract, SafetyPollSubjects, SafetyPollTallyContract, SafetyPollTallyRequestContract } from './safety-poll.js'
import { Streams, Subjects, type StreamSpec } from './subjects.js'
import {
  AudienceCountReplyContract,
  AudienceCountRequestContract,
  AudiencePageReplyContract,
  AudiencePageRequestContract,
  DataSubjectErasedContract,
  SubscriptionChangedContract,
} from './subscriptions.js'
import type { Contract } from './validate.js'

/**
 * The message catalog: for each kind of message on the bus, its subject, the stream that keeps
 * it, the contract its payload satisfies, and the durable consumers that read it. A service
 * publishes and consumes through these entries (platform's `consume(nc, Consumers.x, ...)`
 * decodes, validates and dead-letters in one place), so which subject carries which contract
 * is written once, here.
 */

/** A kind of message kept by a stream; one subject token per tenant. */
export interface EventKind<S extends TSchema = TSchema> {
  readonly stream: StreamSpec
  /** The subject one tenant's messages of this kind are published on. */
  readonly subject: (tenant: string) => string
  /** Every tenant's messages of this kind. */
  readonly everyTenant: string
  readonly contract: Contract<S>
}

/** A request/reply exchange (core NATS, no stream): both bodies have a contract. */
export interface RequestKind<Req extends TSchema = TSchema, Rep extends TSchema = TSchema> {
  readonly subject: string
  readonly request: Contract<Req>
  readonly reply: Contract<Rep>
}

/** A durable consumer: its position survives restarts and is shared by a service's replicas. */
export interface ConsumerKind<S extends TSchema = TSchema> {
  readonly event: EventKind<S>
  /** The durable name; never renamed once deployed (its position would be lost). */
  readonly durable: string
  readonly filterSubject: string
  /** Deliveries before a failing message is dead-lettered. */
  readonly maxDeliver?: number
  /** Messages handled at once; 1 keeps per-consumer order. */
  readonly concurrency?: number
  /** How long a handler may hold a message before JetStream redelivers it. */
  readonly ackWaitMs?: number
}

const event = <S extends TSchema>(stream: StreamSpec, subject: (tenant: string) => string, contract: Contract<S>): EventKind<S> => ({
  stream,
  subject,
  everyTenant: subject('*'),
  contract,
})

export const Events = {
  /** A citizen's message, normalized by ingest. */
  inboundMessage: event(Streams.inbound, Subjects.inboundMessage, InboundMessageContract),
  /** A delivery status from a provider. */
  inboundStatus: event(Streams.inbound, Subjects.inboundStatus, DeliveryStatusContract),
  /** A webhook ingest could not route to a tenant (one subject for all). */
  inboundUnrouted: event(Streams.inbound, () => Subjects.inboundUnrouted, UnroutedWebhookContract),
  /** Moderation's decision on an inbound message. */
  moderationVerdict: event(Streams.moderation, Subjects.moderationVerdict, ModerationVerdictContract),
  /** Staff decided on a message the rules sent to review. */
  reviewDecided: event(Streams.moderation, Subjects.reviewDecided, ReviewDecidedContract),
  /** A subscriber's state changed (subscribed, unsubscribed, topics, blocked, erased). */
  subscriptionChanged: event(Streams.subscriptions, Subjects.subscriptionChanged, SubscriptionChangedContract),
  /** A number was erased: every copy of it is dropped or replaced by its keyed hash. */
  subjectErased: event(Streams.subscriptions, Subjects.subjectErased, DataSubjectErasedContract),
  /** A message a service wants sent to one citizen (confirmations, auto-replies, desk answers). */
  outboundReply: event(Streams.outbound, Subjects.outboundReply, OutboundReplyContract),
} as const

export const Requests = {
  /** One page of a broadcast's audience; answered by subscriptions, asked by the worker. */
  audiencePage: { subject: Subjects.audiencePage, request: AudiencePageRequestContract, reply: AudiencePageReplyContract },
  /** Audience counts for the staff console (no snapshot); answered by subscriptions, asked by broadcast. */
  audienceCount: { subject: Subjects.audienceCount, request: AudienceCountRequestContract, reply: AudienceCountReplyContract },
  /** A broadcast draft against the outbound policy; answered by moderation, asked by broadcast. */
  outboundCheck: { subject: ModerationSubjects.checkOutbound, request: OutboundCheckRequestContract, reply: OutboundCheckReplyContract },
  /** A recurring broadcast's occurrence is due: what to send, or skip; answered by broadcast, asked by the worker. */
  recurringOccurrence: { subject: RecurringSubjects.occurrence, request: RecurringOccurrenceRequestContract, reply: RecurringOccurrenceReplyContract },
  /** Opens or closes an alert's safety poll; answered by subscriptions, asked by the worker. */
  safetyPollState: { subject: SafetyPollSubjects.state, request: SafetyPollStateRequestContract, reply: SafetyPollStateReplyContract },
  /** A safety poll's count; answered by subscriptions, asked by the worker and broadcast. */
  safetyPollTally: { subject: SafetyPollSubjects.tally, request: SafetyPollTallyRequestContract, reply: SafetyPollTallyContract },
} as const satisfies Record<string, RequestKind>

export const Consumers = {
  /** moderation: every citizen's message, one at a time so a sender's messages are decided in order. */
  moderation: { event: Events.inboundMessage, durable: 'moderation', filterSubject: Events.inboundMessage.everyTenant, concurrency: 1 },
  /** subscriptions: one tenant's verdicts, in order (a citizen's commands apply in the order sent). */
  subscriptionsVerdicts: (tenant: string) =>
    ({ event: Events.moderationVerdict, durable: `subscriptions-verdicts-${tenant}`, filterSubject: Events.moderationVerdict.subject(tenant), concurrency: 1 }) as const,
  /** subscriptions: review decisions, to block the senders staff decided to block. */
  subscriptionsReviewDecisions: { event: Events.reviewDecided, durable: 'subscriptions-review-decisions', filterSubject: Events.reviewDecided.everyTenant, maxDeliver: 10, concurrency: 1 },
  /** subscriptions: delivery statuses, to mark citizens who stopped a channel (131050, 21610). */
  subscriptionsStatuses: { event: Events.inboundStatus, durable: 'subscriptions-statuses', filterSubject: Events.inboundStatus.everyTenant, concurrency: 4 },
  /** broadcast: officials' replies that acknowledge an emergency. */
  emergencyAcknowledgements: {
    event: Events.inboundMessage,
    durable: 'broadcast-emergency-acks',
    filterSubject: Events.inboundMessage.everyTenant,
    maxDeliver: 10,
    concurrency: 8,
  },
  /** worker: sends each outbound reply at the sender's cap, in order per citizen (its reply sender). */
  workerReplies: { event: Events.outboundReply, durable: 'worker-replies', filterSubject: Events.outboundReply.everyTenant, maxDeliver: 10, concurrency: 8 },
  /** worker: opt-outs into its cache of who must not receive broadcasts. */
  workerOptOuts: {
    event: Events.subscriptionChanged,
    durable: 'broadcast-opt-outs',
    filterSubject: Events.subscriptionChanged.everyTenant,
    maxDeliver: 10,
    concurrency: 8,
  },
  /** worker: erasures, into its send ledger, opt-out cache and pacing. */
  workerErasures: { event: Events.subjectErased, durable: 'worker-erasures', filterSubject: Events.subjectErased.everyTenant, maxDeliver: 10, concurrency: 4 },
  /** moderation: erasures, to forget the sender's history. */
  moderationErasures: { event: Events.subjectErased, durable: 'moderation-erasures', filterSubject: Events.subjectErased.everyTenant, maxDeliver: 10, concurrency: 4 },
  /** worker: delivery statuses into the send ledger. */
  workerStatuses: { event: Events.inboundStatus, durable: 'broadcast-statuses', filterSubject: Events.inboundStatus.everyTenant, maxDeliver: 10, concurrency: 32 },
} as const
