import { randomUUID } from 'node:crypto'
import type { AuditEntry, BroadcastDraftBody, BroadcastProgress, BroadcastStatus, BroadcastView, Tenant } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { Kysely, Transaction } from 'kysely'
import type { StaffPrincipal } from './auth/staff-auth.js'
import type { BroadcastDatabase, BroadcastRecordStatus } from './broadcast-database.js'
import { defaultLanguageOf, runInputOf, validateDraft } from './broadcast-draft.js'
import { checkApproval, isAuthor, refusePolitical, type ApprovalBody } from './broadcast-approval.js'
import { BroadcastNotFoundError, BroadcastStateError, DraftInvalidError, FourEyesError } from './broadcast-errors.js'
import type { BroadcastWorkflows } from './broadcast-workflow.client.js'
import type { OutboundChecker } from './outbound-check.client.js'
import { quietWindows } from './planning/quiet-hours.js'
import type { TenantCalendar } from './planning/tenant-calendar.js'
import type { WorkerProgress } from './worker-progress.client.js'
import type { TemplateRegistry } from './templates/template-registry.js'
import { appendAudit, findAuthorHolder, listAudit } from './repositories/broadcast-audit.repository.js'
import {
  findBroadcast,
  insertBroadcast,
  lockBroadcast,
  updateBroadcast,
  type BroadcastRow,
  type BroadcastWithRun,
} from './repositories/broadcast.repository.js'

/** A broadcast record's state as staff read it in a refusal. */
const STATUS_IT: Record<BroadcastRecordStatus, string> = {
  draft: 'una bozza',
  approved: 'già approvato',
  dispatched: 'già inviato o in invio',
  cancelled: 'annullato',
}

export interface BroadcastLifecycleDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  checker: OutboundChecker
  workflows: BroadcastWorkflows
  /** The worker, asked where runs stand and for their ledgers counted. */
  worker: WorkerProgress
  logger: Logger
  /** Electoral periods (the pre-election guard) and quiet hours. */
  calendar: TenantCalendar
  /** The WhatsApp template registry: a template Meta does not hold as APPROVED is refused at draft, approval and send. */
  templates?: Pick<TemplateRegistry, 'checkDraft'>
}

/** Quiet windows handed to a run: a routine broadcast never runs longer than this many days. */
const QUIET_WINDOW_DAYS = 14

/** What staff read in a refusal (Italian, as every text staff see). */
const VERBS = { pause: 'mettere in pausa', resume: 'riprendere', cancel: 'annullare' } as const

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString())

/** What staff see: the record's own status until dispatched, then the worker's run state. */
export function statusOf(broadcast: BroadcastWithRun, now = new Date()): BroadcastStatus {
  if (broadcast.status !== 'dispatched') return broadcast.status
  if (broadcast.run) return broadcast.run.state
  return broadcast.send_at && new Date(broadcast.send_at) > now ? 'scheduled' : 'sending'
}

export function toView(broadcast: BroadcastWithRun): BroadcastView {
  return {
    id: broadcast.id,
    tenant: broadcast.tenant,
    status: statusOf(broadcast),
    draft: broadcast.draft,
    outboundCheck: broadcast.outbound_check,
    createdBy: broadcast.created_by,
    createdAt: broadcast.created_at.toISOString(),
    updatedAt: new Date(broadcast.updated_at).toISOString(),
    approvedBy: broadcast.approved_by,
    approvedAt: iso(broadcast.approved_at),
    approvalStatement: broadcast.approval_statement,
    sendAt: iso(broadcast.send_at),
    startedAt: broadcast.run ? iso(broadcast.run.started_at) : null,
    finishedAt: broadcast.run?.finished_at ? iso(broadcast.run.finished_at) : iso(broadcast.cancelled_at),
  }
}

/**
 * The rules of a broadcast's life: operators draft and edit, an approver who is not the
 * draft's author approves (four eyes, by holder), then it is sent now or at a time, paused,
 * resumed or cancelled. Every change is audited in the same transaction.
 */
export function createBroadcastLifecycle(deps: BroadcastLifecycleDeps) {
  const { db, tenants, checker, workflows, worker, logger, calendar, templates } = deps

  const tenantOf = (id: string): Tenant => {
    const tenant = tenants.get(id)
    if (!tenant) throw new DraftInvalidError(`il comune ${id} non è configurato`, '/tenant')
    return tenant
  }

  /** The broadcast, if the caller may see it; another tenant's broadcast is "not found". */
  const load = async (staff: StaffPrincipal, id: string): Promise<BroadcastWithRun> => {
    const broadcast = await findBroadcast(db, worker, id)
    if (!broadcast || (staff.tenant !== null && staff.tenant !== broadcast.tenant)) throw new BroadcastNotFoundError(id)
    return broadcast
  }

  /** Runs `change` on the locked row inside a transaction, then returns the fresh view. */
  const transition = async (
    staff: StaffPrincipal,
    id: string,
    change: (row: BroadcastRow, trx: Transaction<BroadcastDatabase>) => Promise<void>,
  ): Promise<BroadcastView> => {
    await load(staff, id)
    await db.transaction().execute(async (trx) => {
      const row = await lockBroadcast(trx, id)
      if (!row) throw new BroadcastNotFoundError(id)
      await change(row, trx)
    })
    return toView(await load(staff, id))
  }

  const actor = (staff: StaffPrincipal) => ({ tokenId: staff.tokenId, holder: staff.holder, role: staff.role, actor: staff.actor })
  /** Four eyes: the draft's author is its creator, their holder the one of its `drafted` entry. */
  const isDraftAuthor = async (trx: Transaction<BroadcastDatabase>, row: BroadcastRow, staff: StaffPrincipal) =>
    await isAuthor(staff, { tokenId: row.created_by, holder: () => findAuthorHolder(trx, row.id) })

  return {
    load,

    async createDraft(staff: StaffPrincipal, draft: BroadcastDraftBody): Promise<BroadcastView> {
      if (staff.tenant === null) throw new DraftInvalidError('un token di piattaforma non scrive per nessun comune: usare un token da operatore del comune', '/tenant')
      const tenant = tenantOf(staff.tenant)
      validateDraft(tenant, draft)
      await templates?.checkDraft(tenant, draft)
      const id = randomUUID()
      const outboundCheck = await checker.check(tenant.id, id, draft)
      await db.transaction().execute(async (trx) => {
        await insertBroadcast(trx, { id, tenant: tenant.id, draft, outboundCheck, createdBy: staff.tokenId })
        await appendAudit(trx, { broadcastId: id, tenant: tenant.id, action: 'drafted', actor: actor(staff), detail: { check: outboundCheck.state } })
      })
      logger.info({ tenant: tenant.id, broadcastId: id, check: outboundCheck.state, tokenId: staff.tokenId }, 'broadcast drafted')
      return toView(await load(staff, id))
    },

    async editDraft(staff: StaffPrincipal, id: string, draft: BroadcastDraftBody): Promise<BroadcastView> {
      const current = await load(staff, id)
      validateDraft(tenantOf(current.tenant), draft)
      await templates?.checkDraft(tenantOf(current.tenant), draft)
      const outboundCheck = await checker.check(current.tenant, id, draft)
      return await transition(staff, id, async (row, trx) => {
        if (row.status !== 'draft') throw new BroadcastStateError(`si può modificare solo una bozza; questo invio è ${STATUS_IT[row.status]}`)
        await updateBroadcast(trx, id, { draft, outboundCheck })
        await appendAudit(trx, { broadcastId: id, tenant: row.tenant, action: 'edited', actor: actor(staff), detail: { check: outboundCheck.state } })
      })
    },

    async approve(staff: StaffPrincipal, id: string, body: ApprovalBody): Promise<BroadcastView> {
      const current = await load(staff, id)
      const period = await calendar.inForce(tenantOf(current.tenant))
      return await transition(staff, id, async (row, trx) => {
        if (row.status !== 'draft') throw new BroadcastStateError(`si può approvare solo una bozza; questo invio è ${STATUS_IT[row.status]}`)
        if (await isDraftAuthor(trx, row, staff)) {
          throw new FourEyesError('principio dei quattro occhi: chi ha scritto la bozza non può approvarla')
        }
        // Meta may have paused or rejected the template since the draft was written.
        await templates?.checkDraft(tenantOf(row.tenant), row.draft)
        const check = row.outbound_check
        const approvalStatement = checkApproval(check, period, body)
        await updateBroadcast(trx, id, { status: 'approved', approvedBy: staff.tokenId, approvedAt: new Date(), approvalStatement })
        await appendAudit(trx, {
          broadcastId: id,
          tenant: row.tenant,
          action: 'approved',
          actor: actor(staff),
          detail: {
            check: check.state,
            categories: check.categories,
            acknowledgedFindings: body.acknowledgeFindings === true,
            ...(body.note ? { note: body.note } : {}),
            ...(period ? { electoralPeriod: { id: period.id, name: period.name, kind: period.kind }, statement: approvalStatement?.text } : {}),
          },
        })
        logger.info({ tenant: row.tenant, broadcastId: id, tokenId: staff.tokenId }, 'broadcast approved')
      })
    },

    /**
     * An approver sends a draft back: it stays a draft its author can edit, and the reason is in
     * the audit trail. Four eyes as for approving: the author withdraws nothing here.
     */
    async reject(staff: StaffPrincipal, id: string, reason: string): Promise<BroadcastView> {
      return await transition(staff, id, async (row, trx) => {
        if (row.status !== 'draft') throw new BroadcastStateError(`si può respingere solo una bozza; questo invio è ${STATUS_IT[row.status]}`)
        if (await isDraftAuthor(trx, row, staff)) {
          throw new FourEyesError('principio dei quattro occhi: chi ha scritto la bozza non può respingerla; può modificarla')
        }
        await updateBroadcast(trx, id, {})
        await appendAudit(trx, { broadcastId: id, tenant: row.tenant, action: 'rejected', actor: actor(staff), detail: { reason } })
        logger.info({ tenant: row.tenant, broadcastId: id, tokenId: staff.tokenId }, 'broadcast rejected')
      })
    },

    async send(staff: StaffPrincipal, id: string, at: Date | undefined): Promise<BroadcastView> {
      const current = await load(staff, id)
      const tenant = tenantOf(current.tenant)
      const [period, quietHours] = await Promise.all([calendar.inForce(tenant), calendar.quietHours(tenant)])
      return await transition(staff, id, async (row, trx) => {
        if (row.status !== 'approved') throw new BroadcastStateError(`si può inviare solo un invio approvato; questo è ${STATUS_IT[row.status]}`)
        await templates?.checkDraft(tenant, row.draft)
        // Approved before the period began: political content is refused all the same.
        if (period) refusePolitical(row.outbound_check, period)
        const sendAt = at && at.getTime() > Date.now() ? at : null
        const windows = quietWindows(quietHours, sendAt ?? new Date(), QUIET_WINDOW_DAYS)
        const input = {
          ...runInputOf(row, tenant, sendAt),
          ...(windows.length > 0 ? { quietWindows: windows.map((w) => ({ from: w.from.toISOString(), until: w.until.toISOString() })) } : {}),
        }
        await updateBroadcast(trx, id, { status: 'dispatched', sendAt, dispatchedAt: new Date() })
        await appendAudit(trx, { broadcastId: id, tenant: row.tenant, action: 'send-requested', actor: actor(staff), detail: { sendAt: iso(sendAt) } })
        // Started inside the transaction: if Temporal refuses, nothing is recorded and the
        // request can be retried; if the commit fails after the start, a retry finds the
        // workflow already started (its id is the broadcast's) and only commits.
        await workflows.start(input)
        logger.info({ tenant: row.tenant, broadcastId: id, sendAt: iso(sendAt), language: defaultLanguageOf(tenantOf(row.tenant), row.draft) }, 'broadcast dispatched')
      })
    },

    async steer(staff: StaffPrincipal, id: string, action: 'pause' | 'resume' | 'cancel'): Promise<BroadcastView> {
      return await transition(staff, id, async (row, trx) => {
        const current = await findBroadcast(trx, worker, id)
        if (!current) throw new BroadcastNotFoundError(id)
        const status = statusOf(current)
        if (action === 'cancel' && (status === 'draft' || status === 'approved')) {
          await updateBroadcast(trx, id, { status: 'cancelled', cancelledAt: new Date() })
        } else {
          const allowed: Record<typeof action, BroadcastStatus[]> = {
            pause: ['scheduled', 'sending'],
            resume: ['paused'],
            cancel: ['scheduled', 'sending', 'paused'],
          }
          if (!allowed[action].includes(status)) throw new BroadcastStateError(`impossibile ${VERBS[action]} un invio nello stato ${status}`)
          await workflows.signal(row.tenant, id, action)
          if (action === 'cancel') await updateBroadcast(trx, id, { cancelledAt: new Date() })
        }
        await appendAudit(trx, { broadcastId: id, tenant: row.tenant, action: `${action}-requested`, actor: actor(staff), detail: { from: status } })
      })
    },

    /**
     * Who did what to it, and what happened to its run (interruptions, ambiguous sends, resends,
     * the final figures), oldest first: staff entries from this service, run events from the
     * worker, which owns the run.
     */
    async audit(staff: StaffPrincipal, id: string): Promise<AuditEntry[]> {
      const broadcast = await load(staff, id)
      const entries = await listAudit(db, id)
      if (broadcast.status !== 'dispatched') return entries
      const run = (await worker.runs([id], { events: true })).get(id)
      const events: AuditEntry[] = (run?.events ?? []).map((e) => ({
        at: e.at,
        action: `run-${e.kind}`,
        actor: 'worker',
        holder: 'Banditore',
        role: 'system',
        detail: { ...e.detail, ...(e.kind !== 'interrupted' && e.kind !== 'halted' && e.kind !== 'finished' ? { count: e.count } : {}) },
      }))
      return [...entries, ...events].sort((a, b) => a.at.localeCompare(b.at))
    },

    async progress(staff: StaffPrincipal, id: string): Promise<BroadcastProgress> {
      const broadcast = await load(staff, id)
      // Counted by the worker, which owns the send ledger; none before its run's first step.
      const run = broadcast.status === 'dispatched' ? (await worker.runs([id], { ledger: true })).get(id) : undefined
      const counts = run?.ledger ?? { byState: {}, failedByReason: {}, skippedByReason: {} }
      const ambiguity = counts.ambiguity ?? { found: 0, confirmed: 0, resent: 0, unresolved: 0, waiting: 0 }
      const interruptions = (run?.events ?? []).filter((e) => e.kind === 'interrupted').length
      const n = (state: string) => counts.byState[state] ?? 0
      const inLedger = Object.values(counts.byState).reduce((a, b) => a + b, 0)
      const total = broadcast.run?.total ?? null
      const status = statusOf(broadcast)
      // Recipients never read from the audience: still to come, or (cancelled) never to come.
      const unread = Math.max(0, (total ?? inLedger) - inLedger)
      const cancelledUnread = status === 'cancelled' ? unread : 0
      const skippedByReason = { ...counts.skippedByReason }
      if (cancelledUnread > 0) skippedByReason.cancelled = (skippedByReason.cancelled ?? 0) + cancelledUnread
      return {
        broadcastId: id,
        status,
        total,
        queued: unread - cancelledUnread + n('pending') + n('sending'),
        accepted: n('accepted'),
        sent: n('sent'),
        delivered: n('delivered'),
        read: n('read'),
        failed: n('failed'),
        skipped: n('skipped') + cancelledUnread,
        failedByReason: counts.failedByReason,
        skippedByReason,
        interruptions,
        ambiguity,
        outcome: status !== 'completed' && status !== 'cancelled' ? 'pending' : n('accepted') + n('sending') + n('pending') > 0 ? 'unconfirmed' : 'confirmed',
        updatedAt: new Date().toISOString(),
      }
    },
  }
}
export type BroadcastLifecycle = ReturnType<typeof createBroadcastLifecycle>
