import type { ColumnType, Generated } from 'kysely'

/**
 * The tables of the `broadcast` schema the worker's broadcast activities and feeds write. The
 * schema belongs to services/broadcast, which migrates it (its `migrations` export); this is the
 * worker's view of the columns it touches.
 */
export const BROADCAST_SCHEMA = 'broadcast'

type Timestamp = ColumnType<Date, Date | string, Date | string>
type Defaulted = ColumnType<Date, Date | string | undefined, Date | string>

/** A recipient's state, in forward order (see broadcast.ledger_rank in the migration). */
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

export interface BroadcastWorkerDatabase {
  send_ledger: SendLedgerTable
  broadcast_run: BroadcastRunTable
  opt_out: OptOutTable
  sender_rate_limit: SenderRateLimitTable
  recipient_pacing: RecipientPacingTable
  status_feed: StatusFeedTable
}
