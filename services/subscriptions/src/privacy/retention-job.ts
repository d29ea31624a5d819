import type { Logger } from '@banditore/platform'
import { sql, type Kysely } from 'kysely'
import { allowRedaction } from '../repositories/consent-ledger.repository.js'
import type { SubscriptionsDatabase } from '../subscriptions-database.js'
import { recordDailyRoots, type ConsentChainRoot } from './consent-chain-roots.js'

export interface RetentionPolicy {
  deskDays: number
  consentEvidenceDays: number
  senderDays: number
  snapshotDays: number
}

export interface RetentionReport {
  deskMessagesRedacted: number
  consentRowsRedacted: number
  sendersForgotten: number
  pendingConfirmationsDeleted: number
  processedMessagesDeleted: number
  snapshotsDeleted: number
}

const DAY_MS = 86_400_000
/** How long handled message ids are remembered: longer than any stream keeps a message (14 days). */
const PROCESSED_MESSAGE_DAYS = 30
/** Expired or confirmed form sign-ups: the ledger holds the proof, the row is only bookkeeping. */
const PENDING_CONFIRMATION_DAYS = 30

const count = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint; numAffectedRows?: bigint }) =>
  Number(result.numUpdatedRows ?? result.numDeletedRows ?? result.numAffectedRows ?? 0)

/**
 * One pass of the retention rules. Runs in one transaction behind a transaction-level advisory
 * lock: when another instance holds it, this pass is skipped.
 */
export async function runRetention(db: Kysely<SubscriptionsDatabase>, policy: RetentionPolicy, now: Date): Promise<RetentionReport | 'skipped'> {
  const before = (days: number) => new Date(now.getTime() - days * DAY_MS)
  return await db.transaction().execute(async (trx) => {
    const lock = await sql<{ locked: boolean }>`select pg_try_advisory_xact_lock(hashtext('banditore.subscriptions.retention')) as locked`.execute(trx)
    if (!lock.rows[0]?.locked) return 'skipped'

    const desk = await trx
      .updateTable('desk_message')
      .set({ text: null, media: '[]', answer_text: null, redacted_at: now })
      .where('received_at', '<', before(policy.deskDays))
      .where('redacted_at', 'is', null)
      .executeTakeFirst()

    // Consent evidence outlives the subscription by consentEvidenceDays; dates, door, policy
    // version and the number stay as the proof of consent and withdrawal.
    await allowRedaction(trx)
    const consent = await sql`
      update subscriptions.consent_ledger c
      set evidence_text = null, evidence_form = null, redacted_at = ${now}, redaction = 'retention'
      where (c.evidence_text is not null or c.evidence_form is not null)
        and not exists (select 1 from subscriptions.subscriber s where s.id = c.subscriber_id and s.status = 'active')
        and not exists (select 1 from subscriptions.consent_ledger l where l.subscriber_id = c.subscriber_id and l.occurred_at >= ${before(policy.consentEvidenceDays)})
    `.execute(trx)

    // Citizens not subscribed (never, or no longer) and not blocked are forgotten once quiet.
    const senders = await sql`
      delete from subscriptions.subscriber s
      where s.status = 'inactive' and s.blocked_at is null
        and greatest(s.created_at, s.unsubscribed_at, s.last_inbound_at, s.last_auto_reply_at) < ${before(policy.senderDays)}
        and not exists (select 1 from subscriptions.pending_confirmation p where p.tenant = s.tenant and p.phone = s.phone and p.expires_at > ${now})
    `.execute(trx)

    const pending = await trx.deleteFrom('pending_confirmation').where('expires_at', '<', before(PENDING_CONFIRMATION_DAYS)).executeTakeFirst()
    const processed = await trx.deleteFrom('processed_message').where('processed_at', '<', before(PROCESSED_MESSAGE_DAYS)).executeTakeFirst()
    const snapshots = await trx.deleteFrom('audience_snapshot').where('created_at', '<', before(policy.snapshotDays)).executeTakeFirst()

    return {
      deskMessagesRedacted: count(desk),
      consentRowsRedacted: Number(consent.numAffectedRows ?? 0),
      sendersForgotten: Number(senders.numAffectedRows ?? 0),
      pendingConfirmationsDeleted: count(pending),
      processedMessagesDeleted: count(processed),
      snapshotsDeleted: count(snapshots),
    }
  })
}

/** Runs the retention pass on an interval, in-process; the advisory lock keeps it to one instance at a time. */
export class RetentionJob {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly db: Kysely<SubscriptionsDatabase>,
    private readonly policy: RetentionPolicy,
    private readonly clock: () => Date,
    private readonly logger: Logger,
  ) {}

  async runOnce(): Promise<RetentionReport | 'skipped'> {
    const report = await runRetention(this.db, this.policy, this.clock())
    if (report !== 'skipped') this.logger.info({ retention: report }, 'retention pass done')
    await this.recordChainRoots()
    return report
  }

  /**
   * The consent chains' roots of the days before `asOf`'s (real time by default: a root is what
   * the municipality registers on the real day, whatever clock the rules run on).
   */
  async recordChainRoots(asOf = new Date()): Promise<ConsentChainRoot[]> {
    const roots = await recordDailyRoots(this.db, asOf)
    for (const root of roots) this.logger.info({ consentChainRoot: root }, 'consent chain root recorded')
    return roots
  }

  start(intervalMs: number): void {
    const tick = () => {
      this.running = this.runOnce().catch((error: unknown) => this.logger.error({ err: error }, 'retention pass failed'))
    }
    tick()
    this.timer = setInterval(tick, intervalMs)
    this.timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}
