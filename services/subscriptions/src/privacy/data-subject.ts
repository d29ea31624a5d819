import type { DataSubjectExport, ErasureResult } from '@banditore/contracts'
import type { Kysely } from 'kysely'
import { anonymiseConsent, consentHistory } from '../repositories/consent-ledger.repository.js'
import { dropQueuedReplies, enqueueErasure } from '../repositories/outbox.repository.js'
import { CitizenSession } from '../processing/citizen-session.js'
import { resolveCitizenAddress } from '../repositories/subscriber.repository.js'
import { unsubscribe } from '../processing/subscription-commands.js'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import type { TenantProfile } from '../tenant/tenant-profile.js'
import type { PhoneHasher } from './phone-hash.js'
import type { RemoteExports } from './remote-exports.js'
import { listDailyRoots, receiptProofs, rootsCovering } from './consent-chain-roots.js'

export interface DataSubjectDeps {
  db: Kysely<SubscriptionsDatabase>
  hashPhone: PhoneHasher
  clock: () => Date
  /** What the worker and moderation hold of the number (an export gathers from every service). */
  remoteExports: RemoteExports
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value)
const plain = (row: object) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, iso(v)]))

/**
 * Everything held about a number in a tenant, in every service: the subscriber, the consent
 * ledger (each record with its chain link: `chain_seq`, `prev_hash`, `hash`, the receipt a
 * citizen can check against the chain's head, and once its day closed `proof`, its RFC 6962
 * inclusion proof in the day's Merkle root), pending sign-ups, desk messages; the worker's
 * sends, opt-out cache and pacing; moderation's sender history and review items. Throws
 * ExportIncompleteError when another service does not answer.
 */
export async function exportDataSubject(deps: DataSubjectDeps, tenant: string, asked: string): Promise<DataSubjectExport> {
  const { db } = deps
  // A BSUID a subscriber known by number carries beside it is that subscriber (issue #16).
  const phone = await resolveCitizenAddress(db, tenant, asked)
  const [remote, roots, subscriber, ledger, pending, desk, polls] = await Promise.all([
    deps.remoteExports.gather(tenant, phone),
    listDailyRoots(db, tenant),
    db.selectFrom('subscriber').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst(),
    consentHistory(db, tenant, deps.hashPhone(tenant, phone)),
    db.selectFrom('pending_confirmation').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).orderBy('requested_at').execute(),
    db.selectFrom('desk_message').selectAll().where('tenant', '=', tenant).where('phone', '=', phone).orderBy('received_at').execute(),
    db
      .selectFrom('safety_poll_answer as a')
      .innerJoin('subscriber as s', 's.id', 'a.subscriber_id')
      .select(['a.poll_id', 'a.answer', 'a.first_answered_at', 'a.answered_at', 'a.answers', 'a.channel'])
      .where('a.tenant', '=', tenant)
      .where('s.phone', '=', phone)
      .orderBy('a.first_answered_at')
      .execute(),
  ])
  const proofs = await receiptProofs(db, tenant, ledger, roots)
  // The day roots that cover the citizen's receipts: a receipt's hash leads to its day's root
  // through the chain, and through `proof` (RFC 6962 audit path) to the day's Merkle root.
  const proofDays = new Set([...proofs.values()].map((p) => p.day))
  const covering = rootsCovering(roots, ledger.flatMap((r) => (r.chain_seq === null ? [] : [Number(r.chain_seq)])))
  const exportedRoots = roots.filter((r) => covering.includes(r) || proofDays.has(r.day))
  return {
    version: 3,
    tenant,
    phone,
    exportedAt: deps.clock().toISOString(),
    subscriber: subscriber ? plain(subscriber) : null,
    consentLedger: ledger.map((r) => ({ ...plain(r), proof: proofs.get(Number(r.id)) ?? null })),
    consentChainRoots: exportedRoots.map(({ tenant: _tenant, ...root }) => root),
    pendingConfirmations: pending.map(plain),
    deskMessages: desk.map(plain),
    safetyPollAnswers: polls.map(plain),
    ...remote,
  }
}

/**
 * Erases a number (GDPR art. 17): an active subscription is withdrawn first (recorded as any
 * withdrawal), then the subscriber, pending sign-ups, desk messages, unsent replies and audience
 * entries are deleted, and the consent ledger is anonymised to what the law requires as proof:
 * the keyed hash of the number, the events' dates, doors and policy versions.
 */
export async function eraseDataSubject(deps: DataSubjectDeps, profile: TenantProfile, asked: string, actor: string, reason: string | undefined): Promise<ErasureResult> {
  const now = deps.clock()
  const tenant = profile.id
  return await deps.db.transaction().execute(async (trx) => {
    const session = await CitizenSession.open(trx, profile, asked, now, { actor }, deps.hashPhone)
    // The address the citizen is stored under (a BSUID asked for may name a subscriber's number).
    const phone = session.phone
    const row = session.subscriber
    if (row?.status === 'active') {
      await unsubscribe(session, { language: row.language, door: 'staff', evidenceText: null, reason: `erasure${reason ? `: ${reason}` : ''}`, confirm: false })
    }
    if (row) await session.change('erased', {})
    const desk = await trx.deleteFrom('desk_message').where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst()
    const pending = await trx.deleteFrom('pending_confirmation').where('tenant', '=', tenant).where('phone', '=', phone).executeTakeFirst()
    await dropQueuedReplies(trx, tenant, phone)
    // Rows of list imports that named the number (the import keeps its counts).
    await trx.deleteFrom('subscriber_import_row').where('tenant', '=', tenant).where('phone', '=', phone).execute()
    if (row) {
      await trx.deleteFrom('audience_snapshot_member').where('subscriber_id', '=', row.id).execute()
      await trx.deleteFrom('subscriber').where('id', '=', row.id).execute()
    }
    const anonymised = await anonymiseConsent(trx, tenant, session.phoneHash, now)
    // The worker's send ledger, opt-out cache and pacing, and moderation's sender history.
    await enqueueErasure(
      trx,
      { version: 1, id: `erasure:${tenant}:${session.phoneHash}:${now.toISOString()}`, tenant, phone, phoneHash: session.phoneHash, erasedAt: now.toISOString() },
      now,
    )
    // Username-only messages of a citizen known by number reached the worker and moderation under
    // their BSUID: erased there too, as its own address.
    if (row?.bsuid && row.bsuid !== phone) {
      const bsuidHash = deps.hashPhone(tenant, row.bsuid)
      await enqueueErasure(
        trx,
        { version: 1, id: `erasure:${tenant}:${bsuidHash}:${now.toISOString()}`, tenant, phone: row.bsuid, phoneHash: bsuidHash, erasedAt: now.toISOString() },
        now,
      )
    }
    return {
      tenant,
      erasedAt: now.toISOString(),
      phoneHash: session.phoneHash,
      subscriberDeleted: Boolean(row),
      consentRowsAnonymised: anonymised,
      deskMessagesDeleted: Number(desk.numDeletedRows),
      pendingConfirmationsDeleted: Number(pending.numDeletedRows),
    }
  })
}
