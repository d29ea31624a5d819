// The API shapes the console reads, from the platform's contracts (types only: nothing of the
// contracts package reaches the browser bundle).
export type {
  AlertTemplate,
  ApiToken,
  AuditEntry,
  BroadcastDraftBody,
  BroadcastPlan,
  BroadcastPreview,
  BroadcastProgress,
  BroadcastStatus,
  BroadcastView,
  ComposeOptions,
  ElectoralPeriod,
  ElectoralPeriodList,
  EmergencySummary,
  EmergencyView,
  OccurrenceView,
  Overview,
  QuietHours,
  Recurrence,
  RecurringBroadcastBody,
  RecurringBroadcastView,
  SafetyPollSettings,
  SafetyPollView,
  StaffRole,
  TimelineEntry,
  Weekday,
  WhatsappTemplate,
} from '@banditore/contracts'

/** `GET /auth/session`. */
export interface ConsoleSession {
  user: { subject: string; name: string; email?: string; grants: Array<{ tenant: string; role: string }> }
  csrfToken: string
  tenants: Array<{ id: string; name: string }>
  idleExpiresAt: string
}
