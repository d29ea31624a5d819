import type { BroadcastDraftBody, EmergencyKind, EmergencyMessage, OutboundCheckView, StaffRole } from '@banditore/contracts'
import type { ColumnType, Generated } from 'kysely'

type CreatedAt = ColumnType<Date, Date | undefined, never>
type Timestamp = ColumnType<Date, Date | string, Date | string>
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>
type Json<T> = ColumnType<T, string, string>

export interface ApiTokenTable {
  id: string
  tenant: string | null
  role: StaffRole
  holder: string
  label: string
  token_hash: string
  created_by: string | null
  created_at: CreatedAt
  revoked_at: Timestamp | null
}

/** The staff's own lifecycle; once dispatched, the worker's broadcast_run says where it stands. */
export type BroadcastRecordStatus = 'draft' | 'approved' | 'dispatched' | 'cancelled'

export interface BroadcastTable {
  id: string
  tenant: string
  status: BroadcastRecordStatus
  draft: Json<BroadcastDraftBody>
  outbound_check: Json<OutboundCheckView>
  created_by: string
  created_at: CreatedAt
  updated_at: UpdatedAt
  approved_by: string | null
  approved_at: Timestamp | null
  send_at: Timestamp | null
  dispatched_at: Timestamp | null
  cancelled_at: Timestamp | null
}

export interface BroadcastAuditTable {
  id: Generated<number>
  broadcast_id: string
  tenant: string
  action: string
  actor: string
  holder: string
  role: StaffRole
  detail: Json<Record<string, unknown>>
  at: CreatedAt
}

/** Written by the worker; read here for status and progress. */
export interface BroadcastRunTable {
  broadcast_id: string
  tenant: string
  state: 'scheduled' | 'sending' | 'paused' | 'completed' | 'cancelled'
  total: number | null
  started_at: Timestamp
  finished_at: Timestamp | null
  updated_at: Timestamp
}

/** Written by the worker; read here for progress only. */
export interface SendLedgerTable {
  id: Generated<number>
  broadcast_id: string
  state: 'pending' | 'sending' | 'accepted' | 'sent' | 'delivered' | 'read' | 'failed' | 'skipped'
  reason: string | null
}

/** The broadcast schema's tables the staff API uses, for Kysely (with `withSchema('broadcast')`). */
export interface EmergencyTable {
  id: string
  tenant: string
  kind: EmergencyKind
  references_id: string | null
  status: 'draft' | 'active' | 'closed'
  message: Json<EmergencyMessage>
  source: 'manual' | 'cap'
  cap: Json<{ identifier: string; sender: string; sent: string; status: string } | null>
  created_by: string
  created_at: CreatedAt
  triggered_by: string | null
  triggered_at: Timestamp | null
  approval_skip_reason: string | null
  acknowledged_by: string | null
  acknowledged_at: Timestamp | null
  updated_at: UpdatedAt
}

/** Written by the staff API (creation, trigger) and the worker (every step after). */
export interface EmergencyTimelineTable {
  id: Generated<number>
  emergency_id: string
  step_key: string
  kind: string
  actor: string
  detail: Json<Record<string, unknown>>
  at: CreatedAt
}

export interface BroadcastDatabase {
  emergency: EmergencyTable
  emergency_timeline: EmergencyTimelineTable
  api_token: ApiTokenTable
  broadcast: BroadcastTable
  broadcast_audit: BroadcastAuditTable
  broadcast_run: BroadcastRunTable
  send_ledger: SendLedgerTable
}
