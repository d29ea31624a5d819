import type { ColumnType, Generated, Selectable } from 'kysely'

/** One role a person holds in one tenant; tenant `*` is the whole platform (admins). */
export interface StaffGrant {
  tenant: string
  role: string
}

export interface SessionTable {
  /** Keyed hash of the cookie's session id (hashSessionId). */
  id: string
  subject: string
  name: string
  email: string | null
  grants: ColumnType<StaffGrant[], string, string>
  /** Sealed with the row's id as context. */
  access_token: string
  access_token_expires_at: Date | null
  refresh_token: string | null
  id_token: string | null
  csrf_token: string
  created_at: Generated<Date>
  last_seen_at: Generated<Date>
  idle_expires_at: Date
}

export type SessionRow = Selectable<SessionTable>

export interface ConsoleDatabase {
  sessions: SessionTable
}
