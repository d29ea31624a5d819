import Type from 'typebox'
import { CitizenAddressSchema, TimestampSchema } from './common.js'
import { defineContract } from './validate.js'

/**
 * The subscriptions service's subscribers screens (bearer staff tokens): search, a subscriber's
 * page with the consent ledger, a paper sign-up typed in at the URP counter, and the import of
 * existing lists. Phone numbers travel in bodies, never in URLs; a subscriber's page is
 * addressed by the subscriber's id.
 */

const PhoneInputSchema = Type.String({ minLength: 3, maxLength: 40 })
const ReasonSchema = Type.String({ minLength: 3, maxLength: 500 })

export const SubscriberSearchRequestSchema = Type.Object(
  { query: Type.String({ minLength: 2, maxLength: 120 }) },
  { additionalProperties: false },
)
export type SubscriberSearchRequest = Type.Static<typeof SubscriberSearchRequestSchema>
export const SubscriberSearchRequestContract = defineContract('SubscriberSearchRequest', SubscriberSearchRequestSchema)

export const SubscriberSummarySchema = Type.Object(
  {
    id: Type.String(),
    phone: CitizenAddressSchema,
    name: Type.Union([Type.String(), Type.Null()]),
    channel: Type.Union([Type.Literal('whatsapp'), Type.Literal('sms')]),
    language: Type.String(),
    status: Type.Union([Type.Literal('active'), Type.Literal('inactive')]),
    /** Every topic received, always-on ones included (for an active subscriber). */
    topics: Type.Array(Type.String()),
    blocked: Type.Boolean(),
    subscribedAt: Type.Union([TimestampSchema, Type.Null()]),
  },
  { additionalProperties: false },
)
export type SubscriberSummary = Type.Static<typeof SubscriberSummarySchema>

export interface SubscriberSearchResult {
  /** How the query was read: a phone number (normalized) or a name. */
  matchedBy: 'phone' | 'name'
  subscribers: SubscriberSummary[]
}

/** One event of the consent ledger, as the subscriber's page shows it. */
export interface ConsentLedgerEntry {
  id: number
  event: 'signup-requested' | 'subscribed' | 'unsubscribed' | 'consent-imported'
  door: string
  deliveryChannel: string | null
  /** What the citizen wrote (a keyword, the confirmation answer). */
  evidenceText: string | null
  /** The form or imported evidence, as recorded. */
  evidenceForm: unknown
  language: string
  policyVersion: string | null
  actor: string
  reason: string | null
  occurredAt: string
  redaction: 'retention' | 'erasure' | null
}

export interface StaffAuditEntry {
  id: number
  actor: string
  action: string
  detail: unknown
  occurredAt: string
}

export interface SubscriberDetail {
  tenant: string
  subscriber: SubscriberSummary & {
    blockedAt: string | null
    blockedReason: string | null
    blockedBy: string | null
    unsubscribedAt: string | null
    channelStoppedAt: string | null
    lastInboundAt: string | null
    createdAt: string
  }
  consentLedger: ConsentLedgerEntry[]
  pendingConfirmations: Array<{ door: string; requestedAt: string; expiresAt: string; confirmedAt: string | null; policyVersion: string }>
  audit: StaffAuditEntry[]
}

export const SubscriberReasonRequestSchema = Type.Object({ reason: ReasonSchema }, { additionalProperties: false })
export const SubscriberReasonRequestContract = defineContract('SubscriberReasonRequest', SubscriberReasonRequestSchema)
export const SubscriberErasureRequestSchema = Type.Object({ reason: Type.Optional(ReasonSchema) }, { additionalProperties: false })
export const SubscriberErasureRequestContract = defineContract('SubscriberErasureRequest', SubscriberErasureRequestSchema)

/** A paper form signed at the URP counter, typed in by the operator (double opt-in as the web form). */
export const CounterSignupRequestSchema = Type.Object(
  {
    phone: PhoneInputSchema,
    name: Type.String({ minLength: 1, maxLength: 120 }),
    topics: Type.Array(Type.String({ pattern: '^[a-z0-9-]+$' }), { maxItems: 50 }),
    language: Type.Optional(Type.String({ minLength: 2, maxLength: 8 })),
    formReference: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$' }),
    signedAt: Type.String({ pattern: '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$' }),
  },
  { additionalProperties: false },
)
export type CounterSignupRequest = Type.Static<typeof CounterSignupRequestSchema>
export const CounterSignupRequestContract = defineContract('CounterSignupRequest', CounterSignupRequestSchema)

export interface CounterSignupResult {
  status: 'confirmation-requested' | 'already-recorded'
  subscriberId: string
  /** Italian, for the operator. */
  message: string
}

/** What the subscribers screens need to know of the tenant. */
export interface SubscriberOptions {
  tenant: string
  languages: string[]
  channels: Array<'whatsapp' | 'sms'>
  topics: Array<{ id: string; name: string; alwaysOn: boolean }>
  /** Whether the tenant accepts paper forms at the counter. */
  paperSignup: boolean
  confirmationValidityHours: number
}

/** Why a row of an import cannot be imported. */
export type ImportRowError =
  | 'invalid-number'
  | 'duplicate'
  | 'already-subscribed'
  | 'blocked'
  | 'unknown-topic'
  | 'unknown-channel'
  | 'unknown-language'
  | 'missing-number'

export interface ImportRowView {
  line: number
  rawPhone: string
  phone: string | null
  name: string | null
  channel: string | null
  topics: string[] | null
  error: ImportRowError | null
  outcome: string | null
}

export const ImportEvidenceSchema = Type.Object(
  {
    /** Where the municipality's list comes from (e.g. "lista broadcast WhatsApp Business", "moduli cartacei URP"). */
    source: Type.String({ minLength: 3, maxLength: 200 }),
    /** When the citizens gave that consent (or the list was closed), YYYY-MM-DD. */
    date: Type.String({ pattern: '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$' }),
    /** The municipality's reference of the documents (protocol number, file). */
    documentReference: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
)
export type ImportEvidence = Type.Static<typeof ImportEvidenceSchema>

export const ImportStartRequestSchema = Type.Object(
  {
    mode: Type.Union([Type.Literal('confirmation'), Type.Literal('imported-consent')]),
    evidence: Type.Optional(ImportEvidenceSchema),
  },
  { additionalProperties: false },
)
export type ImportStartRequest = Type.Static<typeof ImportStartRequestSchema>
export const ImportStartRequestContract = defineContract('ImportStartRequest', ImportStartRequestSchema)

export interface ImportView {
  id: string
  tenant: string
  fileName: string | null
  status: 'previewed' | 'running' | 'completed'
  mode: 'confirmation' | 'imported-consent' | null
  evidence: ImportEvidence | null
  totalRows: number
  validRows: number
  errorRows: number
  errorsByKind: Partial<Record<ImportRowError, number>>
  /** Valid rows per channel and per topic (always-on topics reach everyone). */
  byChannel: Record<string, number>
  byTopic: Record<string, number>
  progress: { processedRows: number; subscribed: number; confirmationsRequested: number; skipped: number }
  createdBy: string
  createdAt: string
  startedAt: string | null
  completedAt: string | null
  /** Rows with errors, in file order (the first 1,000). */
  errors: ImportRowView[]
  /** The file's header as read, to show which columns were used. */
  columns: string[]
  /** True when the same file had already been uploaded: nothing new was stored. */
  alreadyUploaded?: boolean
}

