import { randomUUID } from 'node:crypto'
import type { ElectoralPeriod, ElectoralPeriodBody, ElectoralPeriodList, QuietHours, QuietHoursBody, Tenant } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { ElectoralPeriodInvalidError, ElectoralPeriodNotFoundError } from '../broadcast-errors.js'
import {
  deleteElectoralPeriod,
  electoralPeriodInForce,
  insertElectoralPeriod,
  listElectoralPeriods,
  updateElectoralPeriod,
  type ElectoralPeriodRow,
  type ElectoralPeriodValues,
} from '../repositories/electoral-period.repository.js'
import { findQuietHours, saveQuietHours } from '../repositories/quiet-hours.repository.js'
import { instantOf, localDateTimeOf } from './local-time.js'
import { defaultQuietHours } from './quiet-hours.js'

export const ELECTORAL_KIND_IT: Record<ElectoralPeriodBody['kind'], string> = {
  national: 'politiche',
  regional: 'regionali',
  european: 'europee',
  municipal: 'comunali',
  referendum: 'referendum',
}

/**
 * A tenant's calendar as the staff API keeps it: its electoral periods (Legge 28/2000, art. 9)
 * and its quiet hours. Times are set in the tenant's time zone and kept as instants.
 */
export function createTenantCalendar({
  db,
  logger,
  quietHoursDefault,
  clock = () => new Date(),
}: {
  db: Kysely<BroadcastDatabase>
  logger: Logger
  /** QUIET_HOURS_DEFAULT: the quiet hours of a tenant that has not set its own. */
  quietHoursDefault: string
  clock?: () => Date
}) {
  const fallback = defaultQuietHours(quietHoursDefault)
  const toView = (row: ElectoralPeriodRow, tenant: Tenant, now: Date): ElectoralPeriod => {
    const startsAt = new Date(row.starts_at)
    const endsAt = new Date(row.ends_at)
    return {
      id: row.id,
      kind: row.kind,
      name: row.name,
      startsAt: startsAt.toISOString(),
      endsAt: endsAt.toISOString(),
      startsAtLocal: localDateTimeOf(startsAt, tenant.timezone),
      endsAtLocal: localDateTimeOf(endsAt, tenant.timezone),
      inForce: startsAt <= now && endsAt > now,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
    }
  }

  const valuesOf = (tenant: Tenant, body: ElectoralPeriodBody): ElectoralPeriodValues => {
    const startsAt = instantOf(body.startsAt, tenant.timezone)
    const endsAt = instantOf(body.endsAt, tenant.timezone)
    if (Number.isNaN(startsAt.getTime()) || localDateTimeOf(startsAt, tenant.timezone).slice(0, 10) !== body.startsAt.slice(0, 10)) {
      throw new ElectoralPeriodInvalidError(`/startsAt: la data ${body.startsAt} non esiste`)
    }
    if (Number.isNaN(endsAt.getTime()) || localDateTimeOf(endsAt, tenant.timezone).slice(0, 10) !== body.endsAt.slice(0, 10)) {
      throw new ElectoralPeriodInvalidError(`/endsAt: la data ${body.endsAt} non esiste`)
    }
    if (endsAt <= startsAt) throw new ElectoralPeriodInvalidError("/endsAt: la chiusura dei seggi deve seguire la convocazione dei comizi")
    return { kind: body.kind, name: body.name.trim(), startsAt, endsAt }
  }

  return {
    /** The period in force now, as staff read it; null when none. */
    async inForce(tenant: Tenant): Promise<ElectoralPeriod | null> {
      const now = clock()
      const row = await electoralPeriodInForce(db, tenant.id, now)
      return row ? toView(row, tenant, now) : null
    },

    async list(tenant: Tenant): Promise<ElectoralPeriodList> {
      const now = clock()
      const periods = (await listElectoralPeriods(db, tenant.id)).map((row) => toView(row, tenant, now))
      const current = await electoralPeriodInForce(db, tenant.id, now)
      return { inForce: current ? toView(current, tenant, now) : null, periods }
    },

    async create(staff: StaffPrincipal, tenant: Tenant, body: ElectoralPeriodBody): Promise<ElectoralPeriod> {
      const row = await insertElectoralPeriod(db, { id: randomUUID(), tenant: tenant.id, createdBy: staff.actor, ...valuesOf(tenant, body) })
      logger.info({ tenant: tenant.id, periodId: row.id, kind: row.kind, tokenId: staff.tokenId }, 'electoral period created')
      return toView(row, tenant, clock())
    },

    async update(staff: StaffPrincipal, tenant: Tenant, id: string, body: ElectoralPeriodBody): Promise<ElectoralPeriod> {
      const row = await updateElectoralPeriod(db, tenant.id, id, valuesOf(tenant, body))
      if (!row) throw new ElectoralPeriodNotFoundError(id)
      logger.info({ tenant: tenant.id, periodId: id, tokenId: staff.tokenId }, 'electoral period changed')
      return toView(row, tenant, clock())
    },

    async remove(staff: StaffPrincipal, tenant: Tenant, id: string): Promise<void> {
      if (!(await deleteElectoralPeriod(db, tenant.id, id))) throw new ElectoralPeriodNotFoundError(id)
      logger.info({ tenant: tenant.id, periodId: id, tokenId: staff.tokenId }, 'electoral period deleted')
    },

    async quietHours(tenant: Tenant): Promise<QuietHours> {
      const saved = await findQuietHours(db, tenant.id)
      return { ...(saved ?? fallback), timeZone: tenant.timezone }
    },

    async setQuietHours(staff: StaffPrincipal, tenant: Tenant, body: QuietHoursBody): Promise<QuietHours> {
      await saveQuietHours(db, tenant.id, body, staff.actor)
      logger.info({ tenant: tenant.id, enabled: body.enabled, start: body.start, end: body.end, tokenId: staff.tokenId }, 'quiet hours changed')
      return { ...body, timeZone: tenant.timezone }
    },
  }
}
export type TenantCalendar = ReturnType<typeof createTenantCalendar>
