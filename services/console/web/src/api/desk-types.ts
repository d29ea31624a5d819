/** The desk API of the subscriptions service, as the console reads it (`/api/subscriptions/desk/...`). */
export interface OfficeHoursState {
  now: string
  open: boolean
  nextChangeAt: string | null
  override: OfficeOverride | null
  weekly: string | null
  timezone: string
}

export interface OfficeOverride {
  id: string
  kind: 'closed' | 'open'
  startsAt: string
  endsAt: string
  reason: string
  createdBy?: string
}

export interface ConversationSummary {
  id: string
  phone: string
  name: string | null
  channel: 'whatsapp' | 'sms'
  openCount: number
  /** Open help requests answering an emergency's safety poll: the conversation is listed first. */
  urgentCount: number
  messageCount: number
  waitingSince: string | null
  lastMessageAt: string
  lastText: string | null
  assignedTo: string | null
  blocked: boolean
  windowEndsAt: string | null
  windowOpen: boolean
}

export interface ConversationList {
  conversations: ConversationSummary[]
  officeHours: OfficeHoursState
}

export type TimelineEntry =
  | {
      id: string
      kind: 'message'
      at: string
      channel: string
      text: string | null
      media: Array<{ kind: string; caption?: string }>
      moderation: string
      status: 'open' | 'answered'
      answeredAt: string | null
      answeredBy: string | null
      /** A help request answering an emergency's safety poll. */
      urgent: boolean
    }
  | { id: string; kind: 'answer'; at: string; channel: string; text: string; template: string | null; sentBy: string }

export interface DeskTemplate {
  name: string
  label: string
  parameters: Array<{ label: string; example?: string }>
  languageCode: string
  body: string
}

export interface ConversationDetail {
  id: string
  phone: string
  name: string | null
  language: string
  channel: 'whatsapp' | 'sms'
  subscribed: boolean
  blocked: boolean
  blockedReason: string | null
  channelStopped: boolean
  assignedTo: string | null
  openCount: number
  window: { lastInboundAt: string; endsAt: string | null; open: boolean }
  timeline: TimelineEntry[]
  templates: DeskTemplate[]
  officeHours: OfficeHoursState
  showsDeleted: boolean
}

export interface CannedAnswer {
  id: string
  title: string
  text: string
  updatedBy: string
  updatedAt: string
}

export const deskApi = (tenant: string, path: string) => `/api/subscriptions/desk/${encodeURIComponent(tenant)}${path}`
