import type { ConsentChainVerification } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import { ChainWalk, consentRecordHash, evidenceDigest, GENESIS_HASH, type BrokenLink } from '../privacy/consent-chain.js'
import type { PhoneHasher } from '../privacy/phone-hash.js'
import type { ConsentRecord, NewConsentRecord, SubscriptionsDatabase } from '../subscriptions-database.js'

type Db = Kysely<SubscriptionsDatabase>

/** What the caller gives: the chain columns are computed here. */
export type ConsentRecordInput = Omit<NewConsentRecord, 'chain_seq' | 'prev_hash' | 'hash' | 'evidence_digest'>

/**
 * Locks the tenant's chain head for the rest of the transaction (creating it on a tenant's
 * first record): appends and the verifier of one tenant take their turn, other tenants' do not
 * wait. Returns the head.
 */
async function lockChainHead(db: Db, tenant: string, now: Date): Promise<{ seq: number; hash: string }> {
  await db.insertInto('consent_chain_head').values({ tenant, seq: 0, hash: GENESIS_HASH, updated_at: now }).onConflict((oc) => oc.column('tenant').doNothing()).execute()
  const head = await db.selectFrom('consent_chain_head').select(['seq', 'hash']).where('tenant', '=', tenant).forUpdate().executeTakeFirstOrThrow()
  return { seq: Number(head.seq), hash: head.hash }
}

/**
 * Appends a consent event, chained to the tenant's previous one (privacy/consent-chain.ts). Run
 * it inside the caller's transaction: the head stays locked until commit, so two appends of a
 * tenant never link to the same record. The ledger is append-only: there is no update here.
 */
export async function appendConsent(db: Db, record: ConsentRecordInput, hashPhone: PhoneHasher): Promise<number> {
  const now = new Date()
  const head = await lockChainHead(db, record.tenant, now)
  const chained = {
    ...record,
    chain_seq: head.seq + 1,
    prev_hash: head.hash,
    evidence_digest: evidenceDigest(hashPhone, record.tenant, record.evidence_text ?? null, record.evidence_form ?? null),
  }
  const hash = consentRecordHash({
    ...chained,
    delivery_channel: chained.delivery_channel ?? null,
    policy_version: chained.policy_version ?? null,
    inbound_message_id: chained.inbound_message_id ?? null,
    confirmation_message_id: chained.confirmation_message_id ?? null,
    reason: chained.reason ?? null,
    webhook_body_sha256: chained.webhook_body_sha256 ?? null,
    webhook_signature: chained.webhook_signature ?? null,
  })
  const row = await db.insertInto('consent_ledger').values({ ...chained, hash }).returning('id').executeTakeFirstOrThrow()
  await db.updateTable('consent_chain_head').set({ seq: chained.chain_seq, hash, updated_at: now }).where('tenant', '=', record.tenant).execute()
  return row.id
}

/**
 * Chains the records written before the chain existed, in id order after the tenant's last
 * link; each tenant in its own transaction under its head lock. Safe when several instances
 * start at once: the second finds nothing left. Returns how many records it chained.
 */
export async function chainUnchainedRecords(db: Db, hashPhone: PhoneHasher): Promise<number> {
  const tenants = await db.selectFrom('consent_ledger').select('tenant').distinct().where('hash', 'is', null).execute()
  let chained = 0
  for (const { tenant } of tenants) {
    chained += await db.transaction().execute(async (trx) => {
      const head = await lockChainHead(trx, tenant, new Date())
      const rows = await trx.selectFrom('consent_ledger').selectAll().where('tenant', '=', tenant).where('hash', 'is', null).orderBy('id').execute()
      if (rows.length === 0) return 0
      await sql`select set_config('banditore.consent_chaining', 'on', true)`.execute(trx)
      let { seq, hash } = head
      for (const row of rows) {
        seq++
        const digest = evidenceDigest(hashPhone, tenant, row.evidence_text, row.evidence_form)
        const next = consentRecordHash({ ...row, chain_seq: seq, prev_hash: hash, evidence_digest: digest })
        await trx.updateTable('consent_ledger').set({ chain_seq: seq, prev_hash: hash, hash: next, evidence_digest: digest }).where('id', '=', row.id).execute()
        hash = next
      }
      await trx.updateTable('consent_chain_head').set({ seq, hash, updated_at: new Date() }).where('tenant', '=', tenant).execute()
      return rows.length
    })
  }
  return chained
}

const VERIFY_PAGE = 1000

/**
 * Recomputes a tenant's whole chain, in pages, and names the first broken link. Reads the head
 * first: records appended while it runs lie past the head and are left to the next run.
 */
export async function verifyConsentChain(db: Db, tenant: string, hashPhone: PhoneHasher): Promise<ConsentChainVerification> {
  const head = await db.selectFrom('consent_chain_head').select(['seq', 'hash']).where('tenant', '=', tenant).executeTakeFirst()
  const walk = new ChainWalk(hashPhone, tenant)
  const done = (broken: BrokenLink | null): ConsentChainVerification => ({
    tenant,
    recordsVerified: walk.count,
    valid: broken === null,
    headHash: head?.hash ?? GENESIS_HASH,
    firstBrokenLink: broken,
  })
  const unchained = await db.selectFrom('consent_ledger').selectAll().where('tenant', '=', tenant).where('chain_seq', 'is', null).orderBy('id').limit(1).executeTakeFirst()
  if (unchained) return done(walk.next(unchained))
  const last = head ? Number(head.seq) : 0
  let after = 0
  for (;;) {
    const page = await db
      .selectFrom('consent_ledger')
      .selectAll()
      .where('tenant', '=', tenant)
      .where('chain_seq', '>', after)
      .where('chain_seq', '<=', last)
      .orderBy('chain_seq')
      .limit(VERIFY_PAGE)
      .execute()
    for (const row of page) {
      const broken = walk.next(row)
      if (broken) return done(broken)
    }
    if (page.length < VERIFY_PAGE) break
    after = Number(page[page.length - 1]!.chain_seq)
  }
  return done(walk.end(head ?? null))
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
