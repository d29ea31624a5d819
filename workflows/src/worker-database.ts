import type { ColumnType, Generated } from 'kysely'

/**
 * The worker's own schema, `worker`: what its activities and feeds write (send ledger, runs, the
 * opt-out cache, sender rate limits, pair pacing, the status feed's watermark, emergency runs and
 * their timeline steps). Only the worker migrates it (src/migrations, at start); other services
 * ask the worker over NATS (WorkerSubjects) and never read these tables.
 */
export const WORKER_SCHEMA = 'worker'

type Timestamp = ColumnType<Date, Date | string, Date | string>
type Defaulted = ColumnType<Date, Date | string | undefined, Date | string>

/** A recipient's state, in forward order (see worker.ledger_rank in the migration). */
export type LedgerState = 'pending' | 'sending' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped'

export interface SendLedgerTable {
  id: Generated<number>
  broadcast_id: string
  tenant: string
  subscriber_id: string
  phone: string
  channel: 'whatsapp' | 'sms'
  language: string
  state: ColumnType<LedgerState, LedgerState | undefined, LedgerState>
  attempts: ColumnType<number, number | undefined, number>
  ambiguous_resends: ColumnType<number, number | undefined, number>
  /** When the row was first known to be ambiguous (sent, outcome unknown); null: never. */
  ambiguous_at: Timestamp | null
  /** Counted in a run event (`ambiguous`) already. */
  ambiguity_reported: ColumnType<boolean, boolean | undefined, boolean>
  provider_message_id: string | null
  reason: string | null
  sending_at: Timestamp | null
  accepted_at: Timestamp | null
  updated_at: Defaulted
}

export interface BroadcastRunTable {
  broadcast_id: string
  tenant: string
  state: 'scheduled' | 'sending' | 'paused' | 'completed' | 'cancelled'
  total: number | null
  started_at: Defaulted
  finished_at: Timestamp | null
  updated_at: Defaulted
}

export type BroadcastRunEventKind = 'interrupted' | 'ambiguous' | 'resent' | 'unresolved' | 'halted' | 'finished'

/** A run's own history: what staff are told beside the counts (see the run-events migration). */
export interface BroadcastRunEventTable {
  id: Generated<number>
  broadcast_id: string
  tenant: string
  at: Defaulted
  kind: BroadcastRunEventKind
  count: ColumnType<number, number | undefined, number>
  detail: ColumnType<Record<string, unknown>, string | undefined, string>
}

/**
 * A cache of the opt-outs seen on subscription.changed.*, checked before each batch: the
 * subscriptions service owns opt-outs (its audience pages already leave them out); this mirror
 * only catches those that arrive while a snapshot is being sent.
 */
export interface OptOutTable {
  tenant: string
  subscriber_id: string
  phone: string
  opted_out: boolean
  change: string
  occurred_at: Timestamp
}

export interface SenderRateLimitTable {
  sender_key: string
  rate_per_second: number
  next_free_at: Timestamp
  rate_factor: ColumnType<number, number | undefined, number>
  throttled_at: Timestamp | null
  emergency_until: Timestamp | null
  updated_at: Defaulted
}

export interface RecipientPacingTable {
  sender_key: string
  phone: string
  next_at: Timestamp
}

export interface StatusFeedTable {
  name: string
  caught_up_at: Timestamp
  updated_at: Defaulted
}

/** Where an emergency alert's run stands, as the worker's activities record it. */
export interface EmergencyRunTable {
  alert_id: string
  state: 'active' | 'closed'
  acknowledged_by: string | null
  acknowledged_at: Timestamp | null
  updated_at: Defaulted
}

/** The steps of an alert's run; the staff API merges them with its own (created, triggered). */
export interface EmergencyTimelineTable {
  id: Generated<number>
  alert_id: string
  step_key: string
  kind: string
  actor: string
  detail: ColumnType<Record<string, unknown>, string, string>
  at: Defaulted
}

/**
 * One row per reply (confirmation, auto-reply, desk answer): the idempotency key of the reply
 * path, so a redelivered command is never sent twice. No phone number: the command carries it.
 */
export interface ReplyLedgerTable {
  tenant: string
  reply_id: string
  channel: 'whatsapp' | 'sms'
  state: 'pending' | 'sending' | 'accepted' | 'failed'
  attempts: number
  provider_message_id: string | null
  reason: string | null
  sending_at: Timestamp | null
  accepted_at: Timestamp | null
  created_at: Defaulted
  updated_at: Defaulted
}

export interface WorkerDatabase {
  send_ledger: SendLedgerTable
  broadcast_run: BroadcastRunTable
  broadcast_run_event: BroadcastRunEventTable
  opt_out: OptOutTable
  sender_rate_limit: SenderRateLimitTable
  recipient_pacing: RecipientPacingTable
  status_feed: StatusFeedTable
  emergency_run: EmergencyRunTable
  emergency_timeline: EmergencyTimelineTable
  reply_ledger: ReplyLedgerTable
}
