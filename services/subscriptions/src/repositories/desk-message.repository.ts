import type { Insertable, Kysely } from 'kysely'
import type { DeskMessageRow, DeskMessageTable, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

export async function addDeskMessage(db: Db, row: Insertable<DeskMessageTable>): Promise<void> {
  await db.insertInto('desk_message').values(row).onConflict((oc) => oc.column('inbound_message_id').doNothing()).execute()
}

export interface DeskQuery {
  tenant: string
  status?: 'open' | 'answered'
  limit: number
}

/** The desk queue, oldest first: staff answer in arrival order. */
export async function listDeskMessages(db: Db, query: DeskQuery): Promise<DeskMessageRow[]> {
  let q = db.selectFrom('desk_message').selectAll().where('tenant', '=', query.tenant)
  if (query.status) q = q.where('status', '=', query.status)
  return await q.orderBy('received_at').orderBy('id').limit(query.limit).execute()
}

export async function findDeskMessage(db: Db, tenant: string, id: string): Promise<DeskMessageRow | undefined> {
  return await db.selectFrom('desk_message').selectAll().where('tenant', '=', tenant).where('id', '=', id).forUpdate().executeTakeFirst()
}

export interface DeskAnswer {
  answeredAt: Date
  answeredBy: string
  text: string
  replyId: string
}

export async function recordDeskAnswer(db: Db, id: string, answer: DeskAnswer): Promise<void> {
  await db
    .updateTable('desk_message')
    .set({ status: 'answered', answered_at: answer.answeredAt, answered_by: answer.answeredBy, answer_text: answer.text, answer_reply_id: answer.replyId })
    .where('id', '=', id)
    .execute()
}
