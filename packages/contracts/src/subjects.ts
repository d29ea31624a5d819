/**
 * The NATS catalog: every subject, stream and durable consumer the services share. A tenant id
 * is one subject token, so `inbound.message.*` is every tenant's inbound traffic.
 */
export const Subjects = {
  /** A citizen's message, normalized by ingest. Payload: InboundMessage. */
  inboundMessage: (tenant: string) => `inbound.message.${tenant}`,
  /** A delivery status from a provider. Payload: DeliveryStatus. */
  inboundStatus: (tenant: string) => `inbound.status.${tenant}`,
  /** A webhook ingest could not route to a tenant. Payload: UnroutedWebhook. */
  inboundUnrouted: 'inbound.unrouted',
  /** Moderation's decision on an inbound message. */
  moderationVerdict: (tenant: string) => `moderation.verdict.${tenant}`,
  reviewDecided: (tenant: string) => `moderation.review.${tenant}`,
  /** A subscriber's state changed (subscribed, unsubscribed, topics, blocked, erased). */
  subscriptionChanged: (tenant: string) => `subscription.changed.${tenant}`,
  /** A number was erased (GDPR art. 17): every service drops its copies. Payload: DataSubjectErased. */
  subjectErased: (tenant: string) => `subscription.erased.${tenant}`,
  /** A message a service wants sent to one citizen (confirmations, auto-replies, desk answers). */
  outboundReply: (tenant: string) => `outbound.reply.${tenant}`,
  /** Where a message that failed too often is parked, with its origin in headers. */
  deadLetter: (stream: string, consumer: string) => `deadletter.${stream}.${consumer}`,
  /** Request/reply: one page of a broadcast's audience, served by subscriptions. */
  audiencePage: 'subscriptions.audience.page',
  /** Request/reply: how many subscribers an audience's filters reach, served by subscriptions. */
  audienceCount: 'subscriptions.audience.count',
} as const

/** Header names set on dead-lettered messages. */
export const DeadLetterHeaders = {
  stream: 'Banditore-Dead-Stream',
  consumer: 'Banditore-Dead-Consumer',
  subject: 'Banditore-Dead-Subject',
  sequence: 'Banditore-Dead-Sequence',
  deliveries: 'Banditore-Dead-Deliveries',
  error: 'Banditore-Dead-Error',
} as const

export interface StreamSpec {
  readonly name: string
  readonly subjects: readonly string[]
  /** How long messages are kept, in seconds. */
  readonly maxAgeSeconds: number
  /** JetStream's publish dedupe window (Nats-Msg-Id), in seconds. */
  readonly duplicateWindowSeconds: number
  readonly description: string
}

const DAY = 24 * 60 * 60

export const Streams = {
  inbound: {
    name: 'INBOUND',
    subjects: ['inbound.message.*', 'inbound.status.*', 'inbound.unrouted'],
    maxAgeSeconds: 14 * DAY,
    duplicateWindowSeconds: 10 * 60,
    description: 'Citizen messages and delivery statuses, normalized by ingest',
  },
  moderation: {
    name: 'MODERATION',
    subjects: ['moderation.verdict.*', 'moderation.review.*'],
    maxAgeSeconds: 14 * DAY,
    duplicateWindowSeconds: 10 * 60,
    description: 'Moderation verdicts on inbound messages, and staff decisions on those sent to review',
  },
  subscriptions: {
    name: 'SUBSCRIPTIONS',
    subjects: ['subscription.changed.*', 'subscription.erased.*'],
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 10 * 60,
    description: 'Subscriber state changes',
  },
  outbound: {
    name: 'OUTBOUND',
    subjects: ['outbound.reply.*'],
    maxAgeSeconds: 2 * DAY,
    duplicateWindowSeconds: 10 * 60,
    description: 'Single messages to citizens, sent by the worker under the shared rate limit',
  },
  deadLetter: {
    name: 'DEADLETTER',
    subjects: ['deadletter.>'],
    maxAgeSeconds: 90 * DAY,
    duplicateWindowSeconds: 2 * 60,
    description: 'Messages that failed too often, kept for inspection and replay',
  },
} as const satisfies Record<string, StreamSpec>

/** Temporal task queues. Emergencies have their own so they never wait behind a broadcast. */
export const TaskQueues = {
  broadcast: 'banditore-broadcast',
  emergency: 'banditore-emergency',
  replies: 'banditore-replies',
} as const
