import { isOfficeOpen, type OfficeHours } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'

/** An extraordinary closure or opening, on top of the weekly hours. */
export interface OfficeOverride {
  id: string
  kind: 'closed' | 'open'
  startsAt: Date
  endsAt: Date
  reason: string
}

/** The desk's state at an instant: open or closed, why, and when that changes next. */
export interface OfficeState {
  open: boolean
  /** The override deciding it now, if any. */
  override: OfficeOverride | null
  /** When the state next flips (null: not within the next two weeks). */
  nextChangeAt: Date | null
}

const STEP_MS = 15 * 60_000
const HORIZON_MS = 14 * 24 * 3_600_000

/**
 * Whether the desk is open at `instant`: an override covering it decides (the latest created
 * wins, which the caller gives by order; a closure beats an opening over the same span);
 * otherwise the weekly hours, holidays and closed days of the tenant file.
 */
export function isDeskOpen(hours: OfficeHours | undefined, timeZone: string, overrides: readonly OfficeOverride[], instant: Date): boolean {
  return decide(hours, timeZone, overrides, instant).open
}

function decide(hours: OfficeHours | undefined, timeZone: string, overrides: readonly OfficeOverride[], instant: Date): { open: boolean; override: OfficeOverride | null } {
  const t = instant.getTime()
  const covering = overrides.filter((o) => o.startsAt.getTime() <= t && t < o.endsAt.getTime())
  const closure = covering.find((o) => o.kind === 'closed')
  if (closure) return { open: false, override: closure }
  const opening = covering.find((o) => o.kind === 'open')
  if (opening) return { open: true, override: opening }
  return { open: hours ? isOfficeOpen(hours, timeZone, instant) : false, override: null }
}

/** The state now and its next change (minute precision; override boundaries exact). */
export function officeState(hours: OfficeHours | undefined, timeZone: string, overrides: readonly OfficeOverride[], now: Date): OfficeState {
  const current = decide(hours, timeZone, overrides, now)
  const differs = (at: number) => decide(hours, timeZone, overrides, new Date(at)).open !== current.open
  // Override boundaries are exact instants; the weekly hours change on whole minutes.
  const boundaries = overrides
    .flatMap((o) => [o.startsAt.getTime(), o.endsAt.getTime()])
    .filter((b) => b > now.getTime())
    .sort((a, b) => a - b)
  const exact = boundaries.find((b) => differs(b)) ?? Infinity
  let found: number | null = null
  const firstStep = Math.ceil((now.getTime() + 1) / 60_000) * 60_000
  for (let at = firstStep; at <= now.getTime() + HORIZON_MS && at < exact; at += STEP_MS) {
    if (!differs(at)) continue
    // Back to the minute it changed at.
    let minute = Math.max(firstStep, at - STEP_MS + 60_000)
    while (minute < at && !differs(minute)) minute += 60_000
    found = minute
    break
  }
  const next = Math.min(found ?? Infinity, exact)
  return { ...current, nextChangeAt: Number.isFinite(next) ? new Date(next) : null }
}

type Db = Kysely<SubscriptionsDatabase>

/** Overrides that end after `from`, oldest first. */
export async function loadOfficeOverrides(db: Db, tenant: string, from: Date): Promise<OfficeOverride[]> {
  const rows = await db
    .selectFrom('desk_office_override')
    .select(['id', 'kind', 'starts_at', 'ends_at', 'reason'])
    .where('tenant', '=', tenant)
    .where('ends_at', '>', from)
    .orderBy('starts_at')
    .orderBy('created_at')
    .execute()
  return rows.map((r) => ({ id: r.id, kind: r.kind, startsAt: r.starts_at, endsAt: r.ends_at, reason: r.reason }))
}
