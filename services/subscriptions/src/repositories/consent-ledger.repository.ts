import { sql, type Kysely } from 'kysely'
import type { ConsentRecord, NewConsentRecord, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

/** Appends a consent event. The ledger is append-only: there is no update function here. */
export async function appendConsent(db: Db, record: NewConsentRecord): Promise<number> {
  const row = await db.insertInto('consent_ledger').values(record).returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function consentHistory(db: Db, tenant: string, phoneHash: string): Promise<ConsentRecord[]> {
  return await db.selectFrom('consent_ledger').selectAll().where('tenant', '=', tenant).where('phone_hash', '=', phoneHash).orderBy('id').execute()
}

/** The policy version of the subscriber's latest consent: what a withdrawal withdraws. */
export async function latestConsentPolicy(db: Db, subscriberId: string): Promise<string | null> {
  const row = await db
    .selectFrom('consent_ledger')
    .select('policy_version')
    .where('subscriber_id', '=', subscriberId)
    .where('event', '=', 'subscribed')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst()
  return row?.policy_version ?? null
}

/**
 * Opens a redaction inside the current transaction: the ledger's guard trigger then lets an
 * UPDATE clear personal columns, and nothing else, until the transaction ends.
 */
export async function allowRedaction(db: Db): Promise<void> {
  await sql`select set_config('banditore.consent_redaction', 'on', true)`.execute(db)
}

/** Erasure: clears the number and the evidence of every row about it, keeping hash, dates and policy versions. */
export async function anonymiseConsent(db: Db, tenant: string, phoneHash: string, now: Date): Promise<number> {
  await allowRedaction(db)
  const result = await db
    .updateTable('consent_ledger')
    .set({ phone: null, evidence_text: null, evidence_form: null, redacted_at: now, redaction: 'erasure' })
    .where('tenant', '=', tenant)
    .where('phone_hash', '=', phoneHash)
    .where((eb) => eb.or([eb('phone', 'is not', null), eb('evidence_text', 'is not', null), eb('evidence_form', 'is not', null)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}
