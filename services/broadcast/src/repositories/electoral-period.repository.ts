import type { ElectoralPeriodKind } from '@banditore/contracts'
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { BroadcastDatabase, ElectoralPeriodTable } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

export type ElectoralPeriodRow = Selectable<ElectoralPeriodTable>
type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>

export interface ElectoralPeriodValues {
  kind: ElectoralPeriodKind
  name: string
  startsAt: Date
  endsAt: Date
}

/** The tenant's electoral periods, earliest first. */
export async function listElectoralPeriods(db: Db, tenant: string): Promise<ElectoralPeriodRow[]> {
  return await db.withSchema(SCHEMA).selectFrom('electoral_period').selectAll().where('tenant', '=', tenant).orderBy('starts_at').orderBy('id').execute()
}

/** The period in force at `at` (the one that started last, when two overlap). */
export async function electoralPeriodInForce(db: Db, tenant: string, at: Date): Promise<ElectoralPeriodRow | undefined> {
  return await db
    .withSchema(SCHEMA)
    .selectFrom('electoral_period')
    .selectAll()
    .where('tenant', '=', tenant)
    .where('starts_at', '<=', at)
    .where('ends_at', '>', at)
    .orderBy('starts_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

export async function insertElectoralPeriod(db: Db, period: ElectoralPeriodValues & { id: string; tenant: string; createdBy: string }): Promise<ElectoralPeriodRow> {
  return await db
    .withSchema(SCHEMA)
    .insertInto('electoral_period')
    .values({ id: period.id, tenant: period.tenant, kind: period.kind, name: period.name, starts_at: period.startsAt, ends_at: period.endsAt, created_by: period.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Replaces the period's fields; undefined when the tenant has no such period. */
export async function updateElectoralPeriod(db: Db, tenant: string, id: string, period: ElectoralPeriodValues): Promise<ElectoralPeriodRow | undefined> {
  return await db
    .withSchema(SCHEMA)
    .updateTable('electoral_period')
    .set({ kind: period.kind, name: period.name, starts_at: period.startsAt, ends_at: period.endsAt, updated_at: new Date() })
    .where('tenant', '=', tenant)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}

export async function deleteElectoralPeriod(db: Db, tenant: string, id: string): Promise<ElectoralPeriodRow | undefined> {
  return await db.withSchema(SCHEMA).deleteFrom('electoral_period').where('tenant', '=', tenant).where('id', '=', id).returningAll().executeTakeFirst()
}
