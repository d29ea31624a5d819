import type { BroadcastDraftBody, OutboundCheckView } from '@banditore/contracts'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { BroadcastDatabase, BroadcastRunTable, BroadcastTable } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

export type BroadcastRow = Selectable<BroadcastTable>
export type BroadcastRunRow = Selectable<BroadcastRunTable>
/** A broadcast with the worker's run state, when it was dispatched. */
export type BroadcastWithRun = BroadcastRow & { run: Pick<BroadcastRunRow, 'state' | 'total' | 'started_at' | 'finished_at'> | null }

type Db = Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>

export async function insertBroadcast(
  db: Db,
  broadcast: { id: string; tenant: string; draft: BroadcastDraftBody; outboundCheck: OutboundCheckView; createdBy: string },
): Promise<BroadcastRow> {
  return await db
    .withSchema(SCHEMA)
    .insertInto('broadcast')
    .values({
      id: broadcast.id,
      tenant: broadcast.tenant,
      status: 'draft',
      draft: JSON.stringify(broadcast.draft),
      outbound_check: JSON.stringify(broadcast.outboundCheck),
      created_by: broadcast.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** The broadcast, locked for the rest of the transaction (state changes are serialized). */
export async function lockBroadcast(trx: Transaction<BroadcastDatabase>, id: string): Promise<BroadcastRow | undefined> {
  return await trx.withSchema(SCHEMA).selectFrom('broadcast').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

export async function updateBroadcast(
  db: Db,
  id: string,
  changes: {
    status?: BroadcastRow['status']
    draft?: BroadcastDraftBody
    outboundCheck?: OutboundCheckView
    approvedBy?: string | null
    approvedAt?: Date | null
    sendAt?: Date | null
    dispatchedAt?: Date
    cancelledAt?: Date
  },
): Promise<BroadcastRow> {
  return await db
    .withSchema(SCHEMA)
    .updateTable('broadcast')
    .set({
      updated_at: new Date(),
      ...(changes.status !== undefined ? { status: changes.status } : {}),
      ...(changes.draft !== undefined ? { draft: JSON.stringify(changes.draft) } : {}),
      ...(changes.outboundCheck !== undefined ? { outbound_check: JSON.stringify(changes.outboundCheck) } : {}),
      ...(changes.approvedBy !== undefined ? { approved_by: changes.approvedBy } : {}),
      ...(changes.approvedAt !== undefined ? { approved_at: changes.approvedAt } : {}),
      ...(changes.sendAt !== undefined ? { send_at: changes.sendAt } : {}),
      ...(changes.dispatchedAt !== undefined ? { dispatched_at: changes.dispatchedAt } : {}),
      ...(changes.cancelledAt !== undefined ? { cancelled_at: changes.cancelledAt } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

const withRun = (db: Db) =>
  db
    .withSchema(SCHEMA)
    .selectFrom('broadcast as b')
    .leftJoin('broadcast_run as r', 'r.broadcast_id', 'b.id')
    .selectAll('b')
    .select(['r.state as run_state', 'r.total as run_total', 'r.started_at as run_started_at', 'r.finished_at as run_finished_at'])

type JoinedRow = BroadcastRow & {
  run_state: BroadcastRunRow['state'] | null
  run_total: number | null
  run_started_at: Date | null
  run_finished_at: Date | null
}

function splitRun({ run_state, run_total, run_started_at, run_finished_at, ...row }: JoinedRow): BroadcastWithRun {
  return {
    ...row,
    run: run_state === null ? null : { state: run_state, total: run_total, started_at: run_started_at as Date, finished_at: run_finished_at },
  }
}

export async function findBroadcast(db: Db, id: string): Promise<BroadcastWithRun | undefined> {
  const row = await withRun(db).where('b.id', '=', id).executeTakeFirst()
  return row ? splitRun(row as JoinedRow) : undefined
}

/** A tenant's broadcasts, newest first; `before` pages with the last row's creation time and id. */
export async function listBroadcasts(
  db: Db,
  query: { tenant: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<BroadcastWithRun[]> {
  let q = withRun(db).where('b.tenant', '=', query.tenant)
  if (query.before) {
    const { createdAt, id } = query.before
    q = q.where(sql<boolean>`(b.created_at, b.id) < (${createdAt}, ${id}::uuid)`)
  }
  const rows = await q.orderBy('b.created_at', 'desc').orderBy('b.id', 'desc').limit(query.limit).execute()
  return rows.map((row) => splitRun(row as JoinedRow))
}
