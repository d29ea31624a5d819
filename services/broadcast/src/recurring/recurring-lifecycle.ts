import { randomUUID } from 'node:crypto'
import type {
  BroadcastDraftBody,
  OccurrenceView,
  RecurringBroadcastBody,
  RecurringBroadcastView,
  RecurringOccurrenceReply,
  RecurringOccurrenceRequest,
  Tenant,
} from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { Kysely, Transaction } from 'kysely'
import type { StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { runInputOf, validateDraft } from '../broadcast-draft.js'
import { checkApproval, isAuthor, refusePolitical, type ApprovalBody } from '../broadcast-approval.js'
import { BroadcastStateError, DraftInvalidError, FourEyesError } from '../broadcast-errors.js'
import type { OutboundChecker } from '../outbound-check.client.js'
import { quietWindows } from '../planning/quiet-hours.js'
import type { TenantCalendar } from '../planning/tenant-calendar.js'
import { isOccurrence, localTimeOf, occurrencesOf, spanOf } from './recurrence.js'
import * as repo from './recurring.repository.js'
import type { RecurringSchedules } from './recurring-schedule.client.js'
import type { TemplateRegistry } from '../templates/template-registry.js'

/** A series or an occurrence that does not exist for the caller's tenant. */
export class RecurringNotFoundError extends Error {
  readonly code = 'RECURRING_NOT_FOUND'
  readonly statusCode = 404
  constructor(message: string) {
    super(message)
    this.name = 'RecurringNotFoundError'
  }
}

/** Quiet windows handed to an occurrence's run, as for a broadcast sent by hand (days). */
const QUIET_WINDOW_DAYS = 14
const STATUS_IT = { draft: 'una bozza', active: 'già approvata', ended: 'conclusa', cancelled: 'annullata' } as const

export interface RecurringLifecycleDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  checker: OutboundChecker
  schedules: RecurringSchedules
  calendar: TenantCalendar
  logger: Logger
  clock?: () => Date
  /** The WhatsApp template registry: a series may only use a template Meta holds as APPROVED. */
  templates?: Pick<TemplateRegistry, 'checkDraft'>
}

/**
 * Recurring broadcasts: an operator writes a series (a broadcast draft and its recurrence), an
 * approver who is not its author approves it once (four eyes, the electoral-period rules of a
 * broadcast's approval) and a Temporal Schedule sends it at each time until its end. Staff skip
 * an occurrence, or edit its text: an edited text is new content no approver has seen, so it is
 * sent only once an approver other than its editor approves it (until then the occurrence is not
 * sent). The worker asks, at each time, what to send (`materialize`).
 */
export function createRecurringLifecycle(deps: RecurringLifecycleDeps) {
  const { db, tenants, checker, schedules, calendar, logger } = deps
  const clock = deps.clock ?? (() => new Date())
  const actor = (staff: StaffPrincipal) => ({ actor: staff.actor, holder: staff.holder, role: staff.role })

  const tenantOf = (id: string): Tenant => {
    const tenant = tenants.get(id)
    if (!tenant) throw new DraftInvalidError(`il comune ${id} non è configurato`, '/tenant')
    return tenant
  }
  const load = async (staff: StaffPrincipal, id: string) => {
    const row = await repo.findSeries(db, id)
    if (!row || (staff.tenant !== null && staff.tenant !== row.tenant)) throw new RecurringNotFoundError(`la serie ${id} non esiste`)
    return row
  }
  const statusOf = (row: repo.SeriesRow): RecurringBroadcastView['status'] =>
    row.status === 'active' && new Date(row.ends_at) < clock() ? 'ended' : row.status

  const toView = async (row: repo.SeriesRow): Promise<RecurringBroadcastView> => {
    const skipped = new Set((await repo.listOccurrences(db, row.id)).filter((o) => o.skipped_by).map((o) => new Date(o.scheduled_at).getTime()))
    const next = row.status === 'cancelled' ? undefined : occurrencesOf(row.recurrence, row.time_zone, clock(), 400).find((at) => !skipped.has(at.getTime()))
    return {
      id: row.id,
      tenant: row.tenant,
      status: statusOf(row),
      draft: row.draft,
      recurrence: row.recurrence,
      timeZone: row.time_zone,
      endsAt: new Date(row.ends_at).toISOString(),
      outboundCheck: row.outbound_check,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      approvedBy: row.approved_by,
      approvedAt: row.approved_at ? new Date(row.approved_at).toISOString() : null,
      approvalStatement: row.approval_statement,
      cancelledAt: row.cancelled_at ? new Date(row.cancelled_at).toISOString() : null,
      nextAt: next ? next.toISOString() : null,
    }
  }

  /** The occurrence at `at` of a live series, locked; refused when `at` is not one of its times or is past. */
  const occurrenceFor = async (trx: Transaction<BroadcastDatabase>, row: repo.SeriesRow, at: Date) => {
    if (statusOf(row) !== 'active' && row.status !== 'draft') throw new BroadcastStateError(`la serie è ${STATUS_IT[statusOf(row)]}: le sue ricorrenze non si modificano più`)
    if (!isOccurrence(row.recurrence, row.time_zone, at)) throw new RecurringNotFoundError(`la serie non ha una ricorrenza il ${localTimeOf(at, row.time_zone)}`)
    if (at <= clock()) throw new BroadcastStateError('la ricorrenza è già passata')
    const occurrence = await repo.lockOccurrence(trx, row.id, at)
    if (occurrence.broadcast_id) throw new BroadcastStateError('la ricorrenza è già stata inviata')
    return occurrence
  }

  const occurrenceView = (o: repo.OccurrenceRow | undefined, at: Date, timeZone: string): OccurrenceView => ({
    at: at.toISOString(),
    atLocal: localTimeOf(at, timeZone),
    state: !o
      ? 'scheduled'
      : o.broadcast_id
        ? 'dispatched'
        : o.skipped_by
          ? 'skipped'
          : o.refused_reason
            ? 'refused'
            : o.draft
              ? o.edit_approved_by
                ? 'edited'
                : 'edit-pending'
              : 'scheduled',
    broadcastId: o?.broadcast_id ?? null,
    draft: o?.draft ?? null,
    reason: o?.skip_reason ?? o?.refused_reason ?? null,
  })

  return {
    toView,
    load: async (staff: StaffPrincipal, id: string) => await toView(await load(staff, id)),

    async list(tenant: Tenant, limit: number) {
      return await Promise.all((await repo.listSeries(db, tenant.id, limit)).map(toView))
    },

    async create(staff: StaffPrincipal, body: RecurringBroadcastBody): Promise<RecurringBroadcastView> {
      if (staff.tenant === null) throw new DraftInvalidError('un token di piattaforma non scrive per nessun comune: usare un token da operatore del comune', '/tenant')
      const tenant = tenantOf(staff.tenant)
      const { recurrence, ...draft } = body
      validateDraft(tenant, draft)
      await deps.templates?.checkDraft(tenant, draft)
      const span = spanOf(recurrence, tenant.timezone, clock())
      const id = randomUUID()
      const outboundCheck = await checker.check(tenant.id, id, draft)
      await db.transaction().execute(async (trx) => {
        await repo.insertSeries(trx, { id, tenant: tenant.id, draft, outboundCheck, recurrence, timeZone: tenant.timezone, endsAt: span.endsAt, createdBy: staff.tokenId })
        await repo.appendSeriesAudit(trx, { seriesId: id, tenant: tenant.id, action: 'created', actor: actor(staff), detail: { check: outboundCheck.state, recurrence } })
      })
      logger.info({ tenant: tenant.id, seriesId: id, check: outboundCheck.state, tokenId: staff.tokenId }, 'recurring broadcast created')
      return await toView(await load(staff, id))
    },

    async approve(staff: StaffPrincipal, id: string, body: ApprovalBody): Promise<RecurringBroadcastView> {
      const current = await load(staff, id)
      const tenant = tenantOf(current.tenant)
      // Meta may have paused or rejected the template since the series was written.
      await deps.templates?.checkDraft(tenant, current.draft)
      const period = await calendar.inForce(tenant)
      await db.transaction().execute(async (trx) => {
        const row = await repo.findSeries(trx, id, { lock: true })
        if (!row) throw new RecurringNotFoundError(`la serie ${id} non esiste`)
        if (row.status !== 'draft') throw new BroadcastStateError(`si può approvare solo una bozza; questa serie è ${STATUS_IT[statusOf(row)]}`)
        if (await isAuthor(staff, { tokenId: row.created_by, holder: () => repo.findSeriesAuthorHolder(trx, id) })) {
          throw new FourEyesError('principio dei quattro occhi: chi ha scritto la serie non può approvarla')
        }
        const approvalStatement = checkApproval(row.outbound_check, period, body)
        // Its times are checked again: a series whose times all passed while it waited has nothing to send.
        const span = spanOf(row.recurrence, row.time_zone, clock())
        await repo.updateSeries(trx, id, { status: 'active', approvedBy: staff.tokenId, approvedAt: clock(), approvalStatement })
        await repo.appendSeriesAudit(trx, {
          seriesId: id,
          tenant: row.tenant,
          action: 'approved',
          actor: actor(staff),
          detail: {
            check: row.outbound_check.state,
            acknowledgedFindings: body.acknowledgeFindings === true,
            ...(body.note ? { note: body.note } : {}),
            ...(period ? { electoralPeriod: { id: period.id, name: period.name, kind: period.kind }, statement: approvalStatement?.text } : {}),
          },
        })
        // Created inside the transaction, as a broadcast's workflow is started: if Temporal refuses,
        // nothing is recorded; a retry after a failed commit finds the schedule and only commits.
        await schedules.create({ id, tenant: row.tenant, recurrence: row.recurrence, timeZone: row.time_zone, span, title: row.draft.title })
      })
      logger.info({ tenant: current.tenant, seriesId: id, tokenId: staff.tokenId }, 'recurring broadcast approved')
      return await toView(await load(staff, id))
    },

    async cancel(staff: StaffPrincipal, id: string): Promise<RecurringBroadcastView> {
      await load(staff, id)
      await db.transaction().execute(async (trx) => {
        const row = await repo.findSeries(trx, id, { lock: true })
        if (!row) throw new RecurringNotFoundError(`la serie ${id} non esiste`)
        if (row.status === 'cancelled') throw new BroadcastStateError('la serie è già annullata')
        await repo.updateSeries(trx, id, { status: 'cancelled', cancelledAt: clock() })
        await repo.appendSeriesAudit(trx, { seriesId: id, tenant: row.tenant, action: 'cancelled', actor: actor(staff), detail: { from: statusOf(row) } })
        await schedules.remove(row.tenant, id)
      })
      logger.info({ seriesId: id, tokenId: staff.tokenId }, 'recurring broadcast cancelled')
      return await toView(await load(staff, id))
    },

    /** The occurrences already handled (sent, skipped, refused), then up to `limit` to come. */
    async occurrences(staff: StaffPrincipal, id: string, limit: number): Promise<OccurrenceView[]> {
      const row = await load(staff, id)
      const rows = await repo.listOccurrences(db, id)
      const byTime = new Map(rows.map((o) => [new Date(o.scheduled_at).getTime(), o]))
      const now = clock()
      const past = rows.filter((o) => new Date(o.scheduled_at) < now).map((o) => occurrenceView(o, new Date(o.scheduled_at), row.time_zone))
      const upcoming = row.status === 'cancelled' ? [] : occurrencesOf(row.recurrence, row.time_zone, now, limit).map((at) => occurrenceView(byTime.get(at.getTime()), at, row.time_zone))
      return [...past, ...upcoming]
    },

    async skip(staff: StaffPrincipal, id: string, at: Date, reason: string | undefined): Promise<OccurrenceView> {
      const series = await load(staff, id)
      await db.transaction().execute(async (trx) => {
        const occurrence = await occurrenceFor(trx, series, at)
        if (occurrence.skipped_by) return
        await repo.updateOccurrence(trx, id, at, { skippedBy: staff.tokenId, skipReason: reason ?? null })
        await repo.appendSeriesAudit(trx, { seriesId: id, tenant: series.tenant, action: 'occurrence-skipped', actor: actor(staff), detail: { at: at.toISOString(), ...(reason ? { reason } : {}) } })
      })
      return occurrenceView(await db.transaction().execute((trx) => repo.lockOccurrence(trx, id, at)), at, series.time_zone)
    },

    async edit(staff: StaffPrincipal, id: string, at: Date, draft: BroadcastDraftBody): Promise<OccurrenceView> {
      const series = await load(staff, id)
      const tenant = tenantOf(series.tenant)
      validateDraft(tenant, draft)
      await deps.templates?.checkDraft(tenant, draft)
      const outboundCheck = await checker.check(tenant.id, id, draft)
      // The guard at once: during an electoral period political content is refused whoever would approve it.
      const period = await calendar.inForce(tenant)
      if (period) refusePolitical(outboundCheck, period)
      const occurrence = await db.transaction().execute(async (trx) => {
        const current = await occurrenceFor(trx, series, at)
        if (current.skipped_by) throw new BroadcastStateError('la ricorrenza è stata saltata')
        await repo.updateOccurrence(trx, id, at, { draft, outboundCheck, editedBy: staff.tokenId, editedHolder: staff.holder, editApprovedBy: null })
        await repo.appendSeriesAudit(trx, { seriesId: id, tenant: series.tenant, action: 'occurrence-edited', actor: actor(staff), detail: { at: at.toISOString(), check: outboundCheck.state } })
        return await repo.lockOccurrence(trx, id, at)
      })
      return occurrenceView(occurrence, at, series.time_zone)
    },

    async approveEdit(staff: StaffPrincipal, id: string, at: Date, body: ApprovalBody): Promise<OccurrenceView> {
      const series = await load(staff, id)
      const period = await calendar.inForce(tenantOf(series.tenant))
      const occurrence = await db.transaction().execute(async (trx) => {
        const current = await occurrenceFor(trx, series, at)
        if (!current.draft || !current.outbound_check) throw new BroadcastStateError('la ricorrenza non ha un testo modificato da approvare')
        if (current.edit_approved_by) throw new BroadcastStateError('la modifica è già approvata')
        if (await isAuthor(staff, { tokenId: current.edited_by, holder: () => current.edited_holder })) {
          throw new FourEyesError('principio dei quattro occhi: chi ha modificato la ricorrenza non può approvarne il testo')
        }
        const statement = checkApproval(current.outbound_check, period, body)
        await repo.updateOccurrence(trx, id, at, { editApprovedBy: staff.tokenId })
        await repo.appendSeriesAudit(trx, {
          seriesId: id,
          tenant: series.tenant,
          action: 'occurrence-edit-approved',
          actor: actor(staff),
          detail: { at: at.toISOString(), check: current.outbound_check.state, ...(statement ? { statement: statement.text, electoralPeriod: statement.electoralPeriod } : {}) },
        })
        return await repo.lockOccurrence(trx, id, at)
      })
      return occurrenceView(occurrence, at, series.time_zone)
    },

    audit: async (staff: StaffPrincipal, id: string) => repo.listSeriesAudit(db, (await load(staff, id)).id),

    /**
     * The worker's question at an occurrence's time. The broadcast it becomes is created once
     * (keyed by series and time); asked again, the same answer. The electoral guard applies at
     * this moment, as when a broadcast is sent by hand.
     */
    async materialize(request: RecurringOccurrenceRequest): Promise<RecurringOccurrenceReply> {
      const at = new Date(request.scheduledAt)
      const skip = (reason: Extract<RecurringOccurrenceReply, { outcome: 'skip' }>['reason']) => ({ version: 1 as const, ok: true as const, outcome: 'skip' as const, reason })
      const series = await repo.findSeries(db, request.seriesId)
      const tenant = series && series.tenant === request.tenant ? tenants.get(series.tenant) : undefined
      if (!series || !tenant) return skip('unknown-series')
      if (series.status === 'cancelled') return skip('cancelled')
      if (series.status !== 'active') return skip('not-approved')
      if (!isOccurrence(series.recurrence, series.time_zone, at)) return skip('not-an-occurrence')
      const [period, quietHours] = await Promise.all([calendar.inForce(tenant), calendar.quietHours(tenant)])
      const system = { actor: `schedule:${series.id}`, holder: 'Banditore', role: 'system' as const }
      const outcome = await db.transaction().execute(async (trx) => {
        const occurrence = await repo.lockOccurrence(trx, series.id, at)
        if (occurrence.broadcast_id) return { broadcastId: occurrence.broadcast_id }
        if (occurrence.skipped_by) return skip('skipped')
        if (occurrence.refused_reason) return skip(occurrence.refused_reason as 'edit-not-approved')
        const refuse = async (reason: 'edit-not-approved' | 'electoral-political-content') => {
          await repo.updateOccurrence(trx, series.id, at, { refusedReason: reason })
          await repo.appendSeriesAudit(trx, { seriesId: series.id, tenant: series.tenant, action: 'occurrence-refused', actor: system, detail: { at: at.toISOString(), reason } })
          logger.warn({ tenant: series.tenant, seriesId: series.id, at: at.toISOString(), reason }, 'recurring occurrence not sent')
          return skip(reason)
        }
        if (occurrence.draft && !occurrence.edit_approved_by) return await refuse('edit-not-approved')
        const edited = occurrence.draft !== null && occurrence.outbound_check !== null
        const draft = occurrence.draft ?? series.draft
        const check = occurrence.outbound_check ?? series.outbound_check
        if (period && check.categories.includes('political-propaganda')) return await refuse('electoral-political-content')
        const broadcastId = randomUUID()
        await repo.insertOccurrenceBroadcast(trx, { id: broadcastId, tenant: series.tenant, draft, outboundCheck: check, series, scheduledAt: at, edited })
        await repo.updateOccurrence(trx, series.id, at, { broadcastId })
        await repo.appendSeriesAudit(trx, { seriesId: series.id, tenant: series.tenant, action: 'occurrence-dispatched', actor: system, detail: { at: at.toISOString(), broadcastId, edited } })
        logger.info({ tenant: series.tenant, seriesId: series.id, broadcastId, at: at.toISOString() }, 'recurring occurrence dispatched')
        return { broadcastId }
      })
      if ('outcome' in outcome) return outcome
      const broadcast = await db.withSchema('broadcast').selectFrom('broadcast').select(['id', 'tenant', 'draft']).where('id', '=', outcome.broadcastId).executeTakeFirstOrThrow()
      const windows = quietWindows(quietHours, clock(), QUIET_WINDOW_DAYS)
      const run = {
        ...runInputOf(broadcast, tenant, null),
        ...(windows.length > 0 ? { quietWindows: windows.map((w) => ({ from: w.from.toISOString(), until: w.until.toISOString() })) } : {}),
      }
      return { version: 1, ok: true, outcome: 'send', run }
    },
  }
}
export type RecurringLifecycle = ReturnType<typeof createRecurringLifecycle>
