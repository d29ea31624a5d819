import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

export interface QuietHoursValues {
  enabled: boolean
  start: string
  end: string
}

/** The tenant's quiet hours, when staff changed them from the default. */
export async function findQuietHours(db: Kysely<BroadcastDatabase>, tenant: string): Promise<QuietHoursValues | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('quiet_hours').select(['enabled', 'starts', 'ends']).where('tenant', '=', tenant).executeTakeFirst()
  return row ? { enabled: row.enabled, start: row.starts, end: row.ends } : undefined
}

export async function saveQuietHours(db: Kysely<BroadcastDatabase>, tenant: string, hours: QuietHoursValues, by: string): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('quiet_hours')
    .values({ tenant, enabled: hours.enabled, starts: hours.start, ends: hours.end, updated_by: by })
    .onConflict((oc) => oc.column('tenant').doUpdateSet({ enabled: hours.enabled, starts: hours.start, ends: hours.end, updated_by: by, updated_at: new Date() }))
    .execute()
}
