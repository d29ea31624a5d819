import type { BroadcastDraftBody, OutboundCheckView, Recurrence, StaffRole } from '@banditore/contracts'
import type { ColumnType, Generated } from 'kysely'

type CreatedAt = ColumnType<Date, Date | undefined, never>
type Timestamp = ColumnType<Date, Date | string, Date | string>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>

/** A recurring broadcast (a series): `active` from its approval until cancelled (or its end). */
export interface RecurringBroadcastTable {
  id: string
  tenant: string
  status: 'draft' | 'active' | 'cancelled'
  draft: Json<BroadcastDraftBody>
  outbound_check: Json<OutboundCheckView>
  recurrence: Json<Recurrence>
  time_zone: string
  ends_at: Timestamp
  created_by: string
  created_at: CreatedAt
  updated_at: UpdatedAt
  approved_by: string | null
  approved_at: Timestamp | null
  approval_statement: ColumnType<{ text: string; electoralPeriod: string } | null, string | null | undefined, string | null>
  cancelled_at: Timestamp | null
}

/** One occurrence staff changed (skipped, edited) or the worker asked for (dispatched, refused). */
export interface RecurringOccurrenceTable {
  series_id: string
  scheduled_at: Timestamp
  skipped_by: string | null
  skip_reason: string | null
  draft: ColumnType<BroadcastDraftBody | null, string | null | undefined, string | null>
  outbound_check: ColumnType<OutboundCheckView | null, string | null | undefined, string | null>
  edited_by: string | null
  edited_holder: string | null
  edit_approved_by: string | null
  broadcast_id: string | null
  refused_reason: string | null
  updated_at: UpdatedAt
}

/** Who did what to a series (append-only). `role` is `system` for the schedule's own steps. */
export interface RecurringAuditTable {
  id: Generated<number>
  series_id: string
  tenant: string
  action: string
  actor: string
  holder: string
  role: StaffRole | 'system'
  detail: Json<Record<string, unknown>>
  at: CreatedAt
}
