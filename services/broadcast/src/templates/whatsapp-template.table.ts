import type { ColumnType } from 'kysely'

type Timestamp = ColumnType<Date, Date | string, Date | string>

/** One translation of a tenant's template, as the last successful read of its business account found it. */
export interface WhatsappTemplateTable {
  tenant: string
  name: string
  /** Meta's language code (`it`, `en_US`). */
  language: string
  status: string
  category: string
  quality_rating: 'GREEN' | 'YELLOW' | 'RED' | 'UNKNOWN'
  body: string
  parameter_count: number
  /** The read this row comes from (every row of a tenant has the same). */
  synced_at: Timestamp
}

/** Each tenant's last read of its templates: when it last succeeded, the last attempt and its error. */
export interface WhatsappTemplateSyncTable {
  tenant: string
  synced_at: Timestamp | null
  attempted_at: Timestamp
  error: string | null
}
