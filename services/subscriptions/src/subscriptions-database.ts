import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

/** Timestamps are written as Date and read back as Date (pg's timestamptz parser). */
type Timestamp = ColumnType<Date, Date, Date>
type Json = ColumnType<unknown, string, string>

export type SendChannel = 'whatsapp' | 'sms'
export type Door = 'whatsapp' | 'sms' | 'web' | 'paper'

/**
 * One citizen of one tenant: anyone who signed up or wrote. `status` is `active` while they are
 * subscribed; a sender who never subscribed is `inactive` with `subscribed_at` null (kept for
 * blocks and the auto-reply interval, and removed by retention).
 */
export interface SubscriberTable {
  id: Generated<string>
  tenant: string
  /** The citizen's address: their number (E.164) or, for a WhatsApp username-only citizen, their BSUID. */
  phone: string
  /** Their WhatsApp business-scoped user id, when a message carried it (beside the number, or as the address). */
  bsuid: string | null
  /** Keyed hash of tenant + phone: what survives erasure in the consent ledger. */
  phone_hash: string
  name: string | null
  language: string
  /** The channel broadcasts reach them on. */
  channel: SendChannel
  status: 'active' | 'inactive'
  /** Chosen topic ids, always-on topics excluded (they are implied). */
  topics: string[]
  subscribed_at: Timestamp | null
  unsubscribed_at: Timestamp | null
  /** The provider refuses to deliver on `channel` (WhatsApp 131050: the user stopped the business). */
  channel_stopped_at: Timestamp | null
  channel_stopped_code: string | null
  blocked_at: Timestamp | null
  blocked_reason: string | null
  blocked_by: string | null
  last_inbound_at: Timestamp | null
  last_inbound_channel: Door | null
  last_auto_reply_at: Timestamp | null
  /** Bumped by every change; `<id>:<seq>` is the SubscriptionChanged id. */
  change_seq: Generated<number>
  created_at: Timestamp
  updated_at: Timestamp
}

/** `consent-imported`: a consent the municipality documented before this platform (a list import), never a keyword consent. */
export type ConsentEvent = 'signup-requested' | 'subscribed' | 'unsubscribed' | 'consent-imported'

/**
 * Append-only (a trigger refuses UPDATE, DELETE and TRUNCATE): only redaction may clear the
 * personal columns (phone, evidence) and must then stamp `redacted_at`.
 */
export interface ConsentLedgerTable {
  id: Generated<number>
  tenant: string
  subscriber_id: string
  phone: string | null
  phone_hash: string
  event: ConsentEvent
  /** The door consent (or its withdrawal) came through; `staff` and `provider` for ex officio and gateway events. */
  door: Door | 'staff' | 'provider' | 'import'
  delivery_channel: SendChannel | null
  /** The exact text the citizen sent. */
  evidence_text: string | null
  /** The exact form submitted (double opt-in: with the answer that confirmed it). */
  evidence_form: Json | null
  language: string
  /** `sha256:<hex>` of the privacy notice shown (forms.privacyPolicyVersion). */
  policy_version: string | null
  inbound_message_id: string | null
  /** The OutboundReply id that confirmed it to the citizen. */
  confirmation_message_id: string | null
  /** `citizen`, `staff:<id>`, `provider`, `system`. */
  actor: string
  reason: string | null
  occurred_at: Timestamp
  recorded_at: Generated<Date>
  redacted_at: Timestamp | null
  redaction: 'retention' | 'erasure' | null
  /** Position in the tenant's hash chain (privacy/consent-chain.ts), from 1. */
  chain_seq: ColumnType<number | null, number | undefined, number>
  /** `hash` of the tenant's previous record (GENESIS_HASH for the first). */
  prev_hash: string | null
  /** `sha256:<hex>` over the record's canonical serialization and prev_hash. */
  hash: string | null
  /** Keyed digest of evidence_text and evidence_form: what the hash covers once they are cleared. */
  evidence_digest: string | null
  /** SHA-256 hex of the provider's signed webhook body that carried the citizen's message. */
  webhook_body_sha256: string | null
  /** The signature header of that webhook (X-Hub-Signature-256, X-Twilio-Signature). */
  webhook_signature: string | null
}

/** The last record of a tenant's consent chain; locked (FOR UPDATE) while a record is appended. */
/** A tenant's consent chain head at the end of a day (Europe/Rome) on which it grew; append-only. */
export interface ConsentChainRootTable {
  tenant: string
  /** `YYYY-MM-DD`. */
  day: ColumnType<string, string, never>
  head_seq: ColumnType<number, number, never>
  head_hash: string
  records: number
  /** RFC 6962 Merkle root (hex) over the day's record hashes in chain order; null for roots written before it existed. */
  merkle_root: ColumnType<string | null, string | null | undefined, never>
  recorded_at: ColumnType<Date, Date | undefined, never>
}

export interface ConsentChainHeadTable {
  tenant: string
  seq: number
  hash: string
  updated_at: Timestamp
}

/** A form sign-up waiting for the citizen's answer (double opt-in). */
export interface PendingConfirmationTable {
  id: Generated<string>
  tenant: string
  phone: string
  language: string
  name: string | null
  topics: string[] | null
  delivery_channel: SendChannel
  door: 'web' | 'paper' | 'import'
  form: Json
  policy_version: string
  inbound_message_id: string
  request_reply_id: string
  requested_at: Timestamp
  expires_at: Timestamp
  confirmed_at: Timestamp | null
}

/** A citizen's question to the office-hours desk. */
export interface DeskMessageTable {
  id: Generated<string>
  tenant: string
  subscriber_id: string
  phone: string
  inbound_message_id: string
  channel: SendChannel
  language: string
  text: string | null
  media: Json
  moderation: string
  received_at: Timestamp
  status: 'open' | 'answered'
  answered_at: Timestamp | null
  answered_by: string | null
  answer_text: string | null
  answer_reply_id: string | null
  redacted_at: Timestamp | null
  /** A help request answering a safety poll: listed ahead of every other conversation. */
  urgent: Generated<boolean>
}

/** An emergency alert's safety poll (its id is the alert's), opened and closed by the worker. */
export interface SafetyPollTable {
  tenant: string
  poll_id: string
  opened_at: Timestamp
  closes_at: Timestamp
  closed_at: Timestamp | null
}

/** A citizen's answer to a poll: one row each, the latest answer kept. */
export interface SafetyPollAnswerTable {
  tenant: string
  poll_id: string
  subscriber_id: string
  answer: 'ok' | 'help'
  first_answered_at: Timestamp
  answered_at: Timestamp
  answers: Generated<number>
  channel: SendChannel
}

/** Messages to publish, written in the transaction that decided them (transactional outbox). */
export interface OutboxTable {
  id: Generated<number>
  tenant: string
  /** Whom the message concerns: erasure drops their unsent replies. */
  phone: string
  subject: string
  msg_id: string
  payload: Json
  created_at: Timestamp
}

/** Inbound messages already handled: a redelivered verdict changes nothing twice. */
export interface ProcessedMessageTable {
  message_id: string
  tenant: string
  processed_at: Timestamp
}

export interface AudienceSnapshotTable {
  tenant: string
  snapshot_id: string
  /** The request's filters, canonical JSON: a later page with other filters is refused. */
  filters: string
  total: number
  created_at: Timestamp
  /** False while only the first page's members are written down. */
  complete: Generated<boolean>
}

export interface AudienceSnapshotMemberTable {
  tenant: string
  snapshot_id: string
  /** 1-based order within the snapshot: the keyset cursor. */
  position: number
  subscriber_id: string
  channel: SendChannel
  language: string
}

/** A desk conversation's state: one per citizen who wrote to the desk. */
export interface DeskConversationTable {
  tenant: string
  subscriber_id: string
  /** The person in charge (their audit name), or null. */
  assigned_to: string | null
  assigned_at: Timestamp | null
  updated_at: Timestamp
}

/** An answer staff sent in a conversation (free text, or an approved WhatsApp template). */
export interface DeskAnswerTable {
  id: Generated<string>
  tenant: string
  subscriber_id: string
  reply_id: string
  channel: SendChannel
  /** What the citizen reads (a template's body with its parameters). */
  text: string
  template: Json | null
  sent_by: string
  sent_at: Timestamp
}

/** An extraordinary closure (a strike, a holiday bridge) or opening (an extra afternoon). */
export interface DeskOfficeOverrideTable {
  id: Generated<string>
  tenant: string
  kind: 'closed' | 'open'
  starts_at: Timestamp
  ends_at: Timestamp
  reason: string
  created_by: string
  created_at: Timestamp
}

export interface DeskCannedAnswerTable {
  id: Generated<string>
  tenant: string
  title: string
  text: string
  updated_by: string
  updated_at: Timestamp
}

/** Who did what at the desk. */
export interface DeskAuditTable {
  id: Generated<number>
  tenant: string
  actor: string
  action: string
  subscriber_id: string | null
  detail: Json
  occurred_at: Timestamp
}

/** Bumped by every change of a tenant's desk: the live stream and ETags follow it. */
export interface DeskRevisionTable {
  tenant: string
  revision: ColumnType<string, number, number>
  changed_at: Timestamp
}

/** What staff did to a citizen from the subscribers screens (search, export, erasure, removal, block, paper sign-up, import), naming the person. */
export interface StaffAuditTable {
  id: Generated<number>
  tenant: string
  actor: string
  action: string
  subscriber_id: string | null
  /** Keyed hash of the number: survives erasure, like the ledger's proof. */
  phone_hash: string | null
  detail: Json
  occurred_at: Timestamp
}

/** A list import: its id is derived from the tenant and the file's hash, so a file is imported once. */
export interface SubscriberImportTable {
  id: string
  tenant: string
  file_name: string | null
  file_sha256: string
  status: 'previewed' | 'running' | 'completed'
  mode: 'confirmation' | 'imported-consent' | null
  evidence: Json | null
  total_rows: number
  valid_rows: number
  error_rows: number
  summary: Json
  /** The last file line handled: a resumed run goes on after it. */
  processed_line: Generated<number>
  subscribed: Generated<number>
  confirmations_requested: Generated<number>
  skipped: Generated<number>
  created_by: string
  created_at: Timestamp
  started_by: string | null
  started_at: Timestamp | null
  completed_at: Timestamp | null
  updated_at: Timestamp
}

export interface SubscriberImportRowTable {
  import_id: string
  line: number
  tenant: string
  raw_phone: string
  /** E.164, null when the number is invalid. */
  phone: string | null
  name: string | null
  channel: SendChannel | null
  language: string | null
  topics: string[] | null
  error: string | null
  outcome: string | null
}

export interface SubscriptionsDatabase {
  staff_audit: StaffAuditTable
  subscriber_import: SubscriberImportTable
  subscriber_import_row: SubscriberImportRowTable
  desk_conversation: DeskConversationTable
  desk_answer: DeskAnswerTable
  desk_office_override: DeskOfficeOverrideTable
  desk_canned_answer: DeskCannedAnswerTable
  desk_audit: DeskAuditTable
  desk_revision: DeskRevisionTable
  subscriber: SubscriberTable
  consent_ledger: ConsentLedgerTable
  consent_chain_head: ConsentChainHeadTable
  consent_chain_root: ConsentChainRootTable
  pending_confirmation: PendingConfirmationTable
  desk_message: DeskMessageTable
  safety_poll: SafetyPollTable
  safety_poll_answer: SafetyPollAnswerTable
  outbox: OutboxTable
  processed_message: ProcessedMessageTable
  audience_snapshot: AudienceSnapshotTable
  audience_snapshot_member: AudienceSnapshotMemberTable
}

export type Subscriber = Selectable<SubscriberTable>
export type NewConsentRecord = Insertable<ConsentLedgerTable>
export type ConsentRecord = Selectable<ConsentLedgerTable>
export type PendingConfirmation = Selectable<PendingConfirmationTable>
export type DeskMessageRow = Selectable<DeskMessageTable>
