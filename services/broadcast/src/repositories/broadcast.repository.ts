import type { BroadcastDraftBody, BroadcastRunState, BroadcastRunView, OutboundCheckView } from '@banditore/contracts'
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely'
import type { BroadcastDatabase, BroadcastTable } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'
import type { WorkerProgress } from '../worker-progress.client.js'

export type BroadcastRow = Selectable<BroadcastTable>
/** Where a dispatched broadcast's run stands, as the worker answers it. */
export interface BroadcastRun {
  state: BroadcastRunState
  total: number | null
  started_at: Date
  finished_at: Date | null
}
/** A broadcast with the worker's run state, when it was dispatched. */
export type BroadcastWithRun = BroadcastRow & { run: BroadcastRun | null }

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
    approvalStatement?: { text: string; electoralPeriod: string } | null
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
      ...(changes.approvalStatement !== undefined ? { approval_statement: changes.approvalStatement ? JSON.stringify(changes.approvalStatement) : null } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Adds the worker's run to each dispatched broadcast (one request for all of them). */
export async function withRuns(worker: WorkerProgress, rows: readonly BroadcastRow[]): Promise<BroadcastWithRun[]> {
  const dispatched = rows.filter((r) => r.status === 'dispatched').map((r) => r.id)
  const runs = dispatched.length > 0 ? await worker.runs(dispatched) : new Map<string, BroadcastRunView>()
  return rows.map((row) => {
    const run = runs.get(row.id)
    return {
      ...row,
      run: run ? { state: run.state, total: run.total, started_at: new Date(run.startedAt), finished_at: run.finishedAt ? new Date(run.finishedAt) : null } : null,
    }
  })
}

export async function findBroadcast(db: Db, worker: WorkerProgress, id: string): Promise<BroadcastWithRun | undefined> {
  const row = await db.withSchema(SCHEMA).selectFrom('broadcast').selectAll().where('id', '=', id).executeTakeFirst()
  return row ? (await withRuns(worker, [row]))[0] : undefined
}

/** A tenant's broadcasts, newest first; `before` pages with the last row's creation time and id. */
export async function listBroadcasts(
  db: Db,
  worker: WorkerProgress,
  query: { tenant: string; limit: number; before?: { createdAt: Date; id: string } },
): Promise<BroadcastWithRun[]> {
  let q = db.withSchema(SCHEMA).selectFrom('broadcast as b').selectAll('b').where('b.tenant', '=', query.tenant)
  if (query.before) {
    const { createdAt, id } = query.before
    q = q.where(sql<boolean>`(b.created_at, b.id) < (${createdAt}, ${id}::uuid)`)
  }
  const rows = await q.orderBy('b.created_at', 'desc').orderBy('b.id', 'desc').limit(query.limit).execute()
  return await withRuns(worker, rows)
}
