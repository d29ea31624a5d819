import type { Migration } from 'kysely'
import { initialSchema } from './2026-11-23T00-00-00_initial.js'
import { emergencies } from './2026-11-23T02-00-00_emergencies.js'
import { workerTablesMoved } from './2026-12-07T00-00-00_worker-tables-moved.js'
import { staffIdentity } from './2026-12-08T00-00-00_staff-identity.js'
import { electoralPeriodsQuietHours } from './2026-12-09T00-00-00_electoral-periods-quiet-hours.js'
import { appendOnlyAudit } from './2026-12-15T00-00-00_append-only-audit.js'
import { bulletinDrafts } from './2026-12-16T00-00-00_bulletin-drafts.js'
import { recurringBroadcasts } from './2026-12-16T01-00-00_recurring-broadcasts.js'
import { whatsappTemplates } from './2026-12-16T02-00-00_whatsapp-templates.js'
import { emergencyPoll } from './2026-12-16T05-00-00_emergency-poll.js'

/**
 * The broadcast schema: the staff API's own tables (tokens, broadcasts, audit, emergencies and
 * their staff steps). What the worker writes is in the worker's schema, migrated by the worker.
 * One owner migrates each schema; names are timestamps; a migration is never edited after it lands.
 */
export const SCHEMA = 'broadcast'

export const migrations: Record<string, Migration> = {
  '2026-11-23T00-00-00_initial': initialSchema,
  '2026-11-23T02-00-00_emergencies': emergencies,
  '2026-12-07T00-00-00_worker-tables-moved': workerTablesMoved,
  '2026-12-08T00-00-00_staff-identity': staffIdentity,
  '2026-12-09T00-00-00_electoral-periods-quiet-hours': electoralPeriodsQuietHours,
  '2026-12-15T00-00-00_append-only-audit': appendOnlyAudit,
  '2026-12-16T00-00-00_bulletin-drafts': bulletinDrafts,
  '2026-12-16T01-00-00_recurring-broadcasts': recurringBroadcasts,
  '2026-12-16T02-00-00_whatsapp-templates': whatsappTemplates,
  '2026-12-16T05-00-00_emergency-poll': emergencyPoll,
}
