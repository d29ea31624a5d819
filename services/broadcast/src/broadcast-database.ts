import type { BroadcastDraftBody, BulletinColour, BulletinOrigin, ElectoralPeriodKind, EmergencyCapOrigin, EmergencyKind, EmergencyMessage, EmergencySource, OutboundCheckView, SafetyPollSettings, StaffRole } from '@banditore/contracts'
import type { ColumnType, Generated } from 'kysely'
import type { RecurringAuditTable, RecurringBroadcastTable, RecurringOccurrenceTable } from './recurring/recurring.table.js'
import type { WhatsappTemplateSyncTable, WhatsappTemplateTable } from './templates/whatsapp-template.table.js'

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

/** The staff's own lifecycle; once dispatched, the worker says where its run stands (WorkerSubjects). */
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
  /** During an electoral period: the approver's statement and the period's name. */
  approval_statement: ColumnType<{ text: string; electoralPeriod: string } | null, string | null | undefined, string | null>
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

/** The broadcast schema's tables the staff API uses, for Kysely (with `withSchema('broadcast')`). */
export interface EmergencyTable {
  id: string
  tenant: string
  kind: EmergencyKind
  references_id: string | null
  status: 'draft' | 'active' | 'closed'
  message: Json<EmergencyMessage>
  source: EmergencySource
  cap: Json<EmergencyCapOrigin | null>
  /** The DPC bulletin reading of a `bulletin` draft. */
  bulletin: Json<BulletinOrigin | null>
  /** The safety poll the alert asks (null: none). */
  poll: ColumnType<SafetyPollSettings | null, string | null | undefined, string | null>
  created_by: string
  created_at: CreatedAt
  triggered_by: string | null
  triggered_at: Timestamp | null
  approval_skip_reason: string | null
  acknowledged_by: string | null
  acknowledged_at: Timestamp | null
  updated_at: UpdatedAt
}

/**
 * The staff API's own steps of an alert (created, triggered, approval skipped). The worker keeps
 * the steps of the run in its own schema and answers them (WorkerSubjects.emergencyRun); rows
 * written here by workers before 2026-12-07 stay and are read with the rest.
 */
export interface EmergencyTimelineTable {
  id: Generated<number>
  emergency_id: string
  step_key: string
  kind: string
  actor: string
  detail: Json<Record<string, unknown>>
  at: CreatedAt
}

export interface ElectoralPeriodTable {
  id: string
  tenant: string
  kind: ElectoralPeriodKind
  name: string
  starts_at: Timestamp
  ends_at: Timestamp
  created_by: string
  created_at: CreatedAt
  updated_at: UpdatedAt
}

/** What one DPC bulletin says of one tenant's zone for one day (once per bulletin and day). */
export interface BulletinReadingTable {
  tenant: string
  bulletin_id: string
  bulletin_name: string
  day: string
  zone: string
  colour: BulletinColour
  criticality: string
  read_at: CreatedAt
}

/** The draft made for a tenant's zone, day and colour: once, however many replicas or bulletins read it. */
export interface BulletinDraftTable {
  tenant: string
  zone: string
  day: string
  colour: 'orange' | 'red'
  bulletin_id: string
  emergency_id: string
  created_at: CreatedAt
  /** When the staff on duty were told (their notice workflow started); null: not yet. */
  notified_at: Timestamp | null
}

/** Each check of the bulletin, with the reason when it failed. */
export interface BulletinCheckTable {
  id: Generated<number>
  checked_at: CreatedAt
  ok: boolean
  error: string | null
  bulletins: Json<string[]>
  drafts: Json<Array<{ tenant: string; emergencyId: string }>>
}

/** A tenant's quiet hours, when changed from the default. */
export interface QuietHoursTable {
  tenant: string
  enabled: boolean
  starts: string
  ends: string
  updated_by: string
  updated_at: UpdatedAt
}

export interface BroadcastDatabase {
  bulletin_reading: BulletinReadingTable
  bulletin_draft: BulletinDraftTable
  bulletin_check: BulletinCheckTable
  electoral_period: ElectoralPeriodTable
  quiet_hours: QuietHoursTable
  emergency: EmergencyTable
  emergency_timeline: EmergencyTimelineTable
  api_token: ApiTokenTable
  broadcast: BroadcastTable
  broadcast_audit: BroadcastAuditTable
  recurring_broadcast: RecurringBroadcastTable
  recurring_occurrence: RecurringOccurrenceTable
  recurring_audit: RecurringAuditTable
  whatsapp_template: WhatsappTemplateTable
  whatsapp_template_sync: WhatsappTemplateSyncTable
}
