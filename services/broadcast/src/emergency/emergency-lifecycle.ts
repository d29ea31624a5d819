import { randomUUID } from 'node:crypto'
import type { EmergencyDraftBody, EmergencyKind, EmergencyMessage, EmergencyTranslationBody, EmergencyView, SafetyPollSettings, Tenant, TimelineEntry } from '@banditore/contracts'
import { SAFETY_POLL_DEFAULT_OPEN_SECONDS } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { BroadcastStateError, CapInvalidError, DraftInvalidError, EmergencyNotFoundError, ForbiddenError, UnknownTenantError } from '../broadcast-errors.js'
import { parseCapAlert } from '../cap/index.js'
import {
  appendTimeline,
  findByCapIdentity,
  findEmergency,
  followUpsOf,
  insertEmergency,
  markTriggered,
  readTimeline,
  recordRunOutcome,
  updateDraftText,
  type EmergencyRow,
} from '../repositories/emergency.repository.js'
import { capToDraft } from './cap-to-draft.js'
import { emergencyRunInput } from './emergency-content.js'
import { WorkerUnavailableError, type EmergencyRun, type WorkerProgress } from '../worker-progress.client.js'
import type { EmergencyWorkflows } from './emergency-workflow.client.js'
import type { TenantCalendar } from '../planning/tenant-calendar.js'
import type { SafetyPollCounter } from './safety-poll.client.js'

export interface EmergencyLifecycleDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  workflows: EmergencyWorkflows
  /** The worker, asked for the run of an alert: its state, steps and messages. */
  worker: WorkerProgress
  logger: Logger
  /** The electoral periods: an alert triggered during one records that it is exempt. */
  calendar: TenantCalendar
  /** Safety polls' counts, from subscriptions. */
  polls: SafetyPollCounter
  /** How often an alert's workflow reads its poll's count (help requests, reminder). */
  pollCheckSeconds: number
}

const SEVERE_KINDS: readonly EmergencyKind[] = ['alert', 'update', 'cancel']

/**
 * Emergency alerts from the staff side: drafts (by hand or from CAP), the trigger that skips
 * four-eyes approval (who and why recorded), acknowledgements through the API, and the view with
 * the timeline the worker keeps.
 */
export function createEmergencyLifecycle(deps: EmergencyLifecycleDeps) {
  const { db, tenants, workflows, worker, logger, calendar, polls, pollCheckSeconds } = deps

  const tenantFor = (staff: StaffPrincipal, requested: string | undefined): Tenant => {
    if (staff.tenant !== null && requested !== undefined && requested !== staff.tenant) throw new ForbiddenError(`il token vale per il comune ${staff.tenant}`)
    const id = staff.tenant ?? requested
    if (!id) throw new DraftInvalidError('un token di piattaforma deve indicare il comune', '/tenant')
    const tenant = tenants.get(id)
    if (!tenant) throw new UnknownTenantError(id)
    return tenant
  }

  const load = async (staff: StaffPrincipal, id: string): Promise<EmergencyRow> => {
    const row = await findEmergency(db, id)
    // Another tenant's alert does not exist for this token.
    if (!row || (staff.tenant !== null && row.tenant !== staff.tenant)) throw new EmergencyNotFoundError(id)
    return row
  }

  const checkMessage = (tenant: Tenant, message: EmergencyMessage) => {
    for (const field of ['headline', 'description', 'instruction'] as const) {
      for (const language of Object.keys(message[field] ?? {})) {
        if (!tenant.languages.includes(language)) throw new DraftInvalidError(`la lingua ${language} non è del comune (${tenant.languages.join(', ')})`, `/${field}/${language}`)
      }
    }
    const first = tenant.languages[0] as string
    if (!message.headline[first] || !message.description[first]) {
      throw new DraftInvalidError(`titolo e testo servono almeno nella lingua principale del comune (${first})`, '/headline')
    }
    if (!tenant.channels.whatsapp && !tenant.channels.sms) throw new DraftInvalidError('il comune non ha canali di invio', '/tenant')
    if (tenant.channels.whatsapp && !tenant.channels.sms && !tenant.emergency?.whatsappTemplate) {
      throw new DraftInvalidError('il comune invia solo su WhatsApp ma non ha un modello approvato per le allerte (emergency.whatsappTemplate)', '/tenant')
    }
  }

  const checkFollowUp = async (tenant: Tenant, kind: EmergencyKind, references: string | undefined) => {
    if (kind === 'alert') {
      if (references) throw new DraftInvalidError('una nuova allerta non segue un\'altra: usare kind update o cancel', '/references')
      return null
    }
    if (!references) throw new DraftInvalidError(`un messaggio ${kind === 'update' ? 'di aggiornamento' : 'di cessato allarme'} deve indicare l'allerta che segue`, '/references')
    const followed = await findEmergency(db, references)
    if (!followed || followed.tenant !== tenant.id) throw new DraftInvalidError(`l'allerta ${references} non esiste per il comune ${tenant.id}`, '/references')
    if (followed.kind === 'cancel') throw new DraftInvalidError('un cessato allarme non può essere seguito da altri messaggi', '/references')
    return followed.id
  }

  /** The worker's run of a triggered alert (a draft has none), its outcome kept on the alert. */
  const runOf = async (row: EmergencyRow, lenient = false): Promise<EmergencyRun | undefined> => {
    if (row.status === 'draft') return undefined
    let run: EmergencyRun
    try {
      run = await worker.emergencyRun(row.id)
    } catch (error) {
      // A view (also the answer to a trigger, whose workflow has started) is given without the
      // run's part rather than refused; the timeline is the run, and refuses.
      if (!lenient || !(error instanceof WorkerUnavailableError)) throw error
      logger.warn({ tenant: row.tenant, emergencyId: row.id, err: error }, 'emergency run unavailable; view without it')
      return undefined
    }
    if ((run.state === 'closed' && row.status === 'active') || (run.acknowledgedBy && !row.acknowledged_by)) await recordRunOutcome(db, row.id, run)
    return run
  }

  /** What the poll asked and, once the alert is out, its live count. */
  const pollView = async (row: EmergencyRow): Promise<EmergencyView['poll']> => {
    if (!row.poll) return null
    const tally = row.status === 'draft' ? null : await polls.tally(row.tenant, row.id)
    return {
      reminderAfterSeconds: row.poll.reminderAfterSeconds ?? null,
      openForSeconds: row.poll.openForSeconds ?? SAFETY_POLL_DEFAULT_OPEN_SECONDS,
      tally: tally ? { state: tally.state, ok: tally.ok, help: tally.help, helpWaiting: tally.helpWaiting, closesAt: tally.closesAt, lastAnswerAt: tally.lastAnswerAt } : null,
    }
  }

  const checkPoll = (kind: EmergencyKind, poll: SafetyPollSettings | undefined) => {
    if (poll && kind === 'cancel') throw new DraftInvalidError('un cessato allarme non chiede ai cittadini come stanno: il sondaggio vale per allerte e aggiornamenti', '/poll')
  }

  const view = async (row: EmergencyRow): Promise<EmergencyView> => {
    const run = await runOf(row, true)
    const none = { sent: 0, delivered: 0, failed: 0 }
    return {
      id: row.id,
      tenant: row.tenant,
      kind: row.kind,
      references: row.references_id,
      status: run?.state === 'closed' ? 'closed' : row.status,
      message: row.message,
      source: row.source,
      cap: row.cap,
      bulletin: row.bulletin ?? null,
      createdBy: row.created_by,
      createdAt: row.created_at.toISOString(),
      triggeredBy: row.triggered_by,
      triggeredAt: row.triggered_at?.toISOString() ?? null,
      approvalSkipReason: row.approval_skip_reason,
      acknowledgedBy: row.acknowledged_by ?? run?.acknowledgedBy ?? null,
      acknowledgedAt: row.acknowledged_at?.toISOString() ?? run?.acknowledgedAt ?? null,
      messages: run?.messages ?? { whatsapp: none, sms: none },
      poll: await pollView(row),
      followUps: await followUpsOf(db, row.id),
    }
  }

  /** The staff API's own steps and the worker's, in time order (the staff's first on a tie). */
  const timelineOf = async (row: EmergencyRow): Promise<TimelineEntry[]> => {
    const own = await readTimeline(db, row.id)
    const run = await runOf(row)
    return [...own, ...(run?.entries ?? [])].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))
  }

  const trigger = async (staff: StaffPrincipal, row: EmergencyRow, reason: string, askedPoll?: SafetyPollSettings): Promise<EmergencyRow> => {
    const tenant = tenants.get(row.tenant)
    if (!tenant) throw new UnknownTenantError(row.tenant)
    if (row.status !== 'draft') throw new BroadcastStateError(`l'allerta è già ${row.status === 'active' ? 'in corso' : 'chiusa'}`)
    // A CAP draft in another language waits for its translation; an expired CAP alert is not sent.
    if (row.cap?.translation && !row.cap.translation.translatedBy) {
      throw new BroadcastStateError(`la bozza va prima tradotta: il documento CAP è in ${row.cap.translation.from} e manca il testo in ${tenant.languages.join(', ')}`)
    }
    if (row.cap?.expires && Date.parse(row.cap.expires) <= Date.now()) throw new BroadcastStateError(`l'avviso CAP è scaduto (<expires> ${row.cap.expires}): non si invia`)
    checkPoll(row.kind, askedPoll)
    const poll = askedPoll ?? row.poll ?? undefined
    const closes = row.references_id ? (await followUpsOf(db, row.references_id)).filter((f) => f.id !== row.id && f.status === 'active').map((f) => f.id) : []
    const input = {
      ...emergencyRunInput({
        alertId: row.id,
        tenant,
        kind: row.kind,
        ...(row.references_id ? { references: row.references_id } : {}),
        message: row.message,
        ...(poll ? { poll, pollCheckSeconds } : {}),
      }),
      ...(closes.length > 0 ? { closes } : {}),
    }
    // Legge 28/2000, art. 9 exempts emergencies from the pre-election limits: the record says so.
    const period = await calendar.inForce(tenant)
    // Recorded first: a trigger that reached Temporal is always on the timeline.
    const marked = await db.transaction().execute(async (trx) => {
      if (!(await markTriggered(trx, row.id, staff.tokenId, reason, askedPoll))) return false
      await appendTimeline(trx, { emergencyId: row.id, key: 'triggered', kind: 'triggered', actor: staff.holder, detail: { role: staff.role, tokenId: staff.tokenId } })
      await appendTimeline(trx, { emergencyId: row.id, key: 'approval-skipped', kind: 'approval-skipped', actor: staff.holder, detail: { reason } })
      if (period) {
        await appendTimeline(trx, {
          emergencyId: row.id,
          key: 'electoral-exemption',
          kind: 'electoral-exemption',
          actor: staff.holder,
          detail: {
            electoralPeriod: { id: period.id, name: period.name, kind: period.kind, startsAt: period.startsAt, endsAt: period.endsAt },
            note: 'Emergenza: esente dai limiti del periodo elettorale (Legge 28/2000, art. 9); nessuna dichiarazione richiesta.',
          },
        })
      }
      return true
    })
    if (!marked) throw new BroadcastStateError("l'allerta è già stata inviata")
    await workflows.start(input)
    logger.info({ tenant: row.tenant, emergencyId: row.id, kind: row.kind, by: staff.tokenId }, 'emergency triggered')
    return (await findEmergency(db, row.id)) as EmergencyRow
  }

  return {
    load,
    view,
    timeline: async (staff: StaffPrincipal, id: string) => await timelineOf(await load(staff, id)),

    async create(staff: StaffPrincipal, body: EmergencyDraftBody): Promise<EmergencyView> {
      const tenant = tenantFor(staff, body.tenant)
      const kind = body.kind ?? 'alert'
      if (!SEVERE_KINDS.includes(kind)) throw new DraftInvalidError(`tipo ${kind} sconosciuto`, '/kind')
      const { tenant: _t, kind: _k, references: _r, trigger: triggerBody, poll, ...message } = body
      checkMessage(tenant, message)
      checkPoll(kind, poll)
      const references = await checkFollowUp(tenant, kind, body.references)
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertEmergency(trx, { id: randomUUID(), tenant: tenant.id, kind, references, message, source: 'manual', cap: null, ...(poll ? { poll } : {}), createdBy: staff.tokenId })
        await appendTimeline(trx, { emergencyId: created.id, key: 'created', kind: 'created', actor: staff.holder, detail: { kind, source: 'manual', references, ...(poll ? { poll } : {}) } })
        return created
      })
      return await view(triggerBody ? await trigger(staff, row, triggerBody.reason) : row)
    },

    /** A CAP document, best as the bytes received with the Content-Type's charset, as a draft. */
    async createFromCap(staff: StaffPrincipal, document: string | Uint8Array, requestedTenant: string | undefined, charset?: string): Promise<EmergencyView> {
      const tenant = tenantFor(staff, requestedTenant)
      const parsed = parseCapAlert(document, charset !== undefined ? { charset } : {})
      if (!parsed.ok) throw new CapInvalidError(parsed.reason)
      const draft = capToDraft(parsed.alert, tenant)
      if ('reason' in draft) throw new CapInvalidError(`CAP non utilizzabile: ${draft.reason}`)
      let followed: EmergencyRow | undefined
      if (draft.kind !== 'alert') {
        // The first of the messages it follows that this tenant received: the alert itself, whose
        // later updates the trigger closes too.
        for (const ref of draft.references) {
          followed = await findByCapIdentity(db, tenant.id, ref.sender, ref.identifier)
          if (followed) break
        }
        if (!followed) {
          throw new CapInvalidError(`CAP non utilizzabile: segue ${draft.references.map((r) => r.identifier).join(', ')}, che non è tra le allerte del comune ${tenant.id}`)
        }
      }
      const references = followed?.id ?? null
      // A Cancel without <info> is the all-clear of the alert it names: that alert's headline and measures.
      const message: EmergencyMessage =
        draft.allClearByReferences && followed
          ? { ...draft.message, severity: followed.message.severity, urgency: followed.message.urgency, headline: { ...draft.message.headline, ...followed.message.headline } }
          : draft.message
      if (!draft.cap.translation) checkMessage(tenant, message)
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertEmergency(trx, { id: randomUUID(), tenant: tenant.id, kind: draft.kind, references, message, source: 'cap', cap: draft.cap, createdBy: staff.tokenId })
        await appendTimeline(trx, { emergencyId: created.id, key: 'created', kind: 'created', actor: staff.holder, detail: { kind: draft.kind, source: 'cap', cap: draft.cap, references } })
        return created
      })
      return await view(row)
    },

    /** Staff's translation of a CAP draft that came with no text in the tenant's languages. */
    async translate(staff: StaffPrincipal, id: string, body: EmergencyTranslationBody): Promise<EmergencyView> {
      const row = await load(staff, id)
      const translation = row.cap?.translation
      if (!row.cap || !translation) throw new BroadcastStateError("l'allerta non ha un testo da tradurre: non viene da un documento CAP in un'altra lingua")
      if (row.status !== 'draft') throw new BroadcastStateError("l'allerta è già stata inviata")
      const tenant = tenants.get(row.tenant)
      if (!tenant) throw new UnknownTenantError(row.tenant)
      const { instruction: _previous, ...measures } = row.message
      const message: EmergencyMessage = { ...measures, headline: body.headline, description: body.description, ...(body.instruction ? { instruction: body.instruction } : {}) }
      checkMessage(tenant, message)
      if (!(await updateDraftText(db, row.id, message, { ...row.cap, translation: { ...translation, translatedBy: staff.holder } }))) {
        throw new BroadcastStateError("l'allerta è già stata inviata")
      }
      return await view((await findEmergency(db, row.id)) as EmergencyRow)
    },

    async trigger(staff: StaffPrincipal, id: string, reason: string, poll?: SafetyPollSettings): Promise<EmergencyView> {
      return await view(await trigger(staff, await load(staff, id), reason, poll))
    },

    /** The safety poll's reminder, now: to those asked who have not answered (once per alert). */
    async remindPoll(staff: StaffPrincipal, id: string): Promise<EmergencyView> {
      const row = await load(staff, id)
      if (!row.poll) throw new BroadcastStateError("l'allerta non ha chiesto ai cittadini come stanno")
      if (row.status === 'draft') throw new BroadcastStateError("l'allerta non è ancora stata inviata")
      const tally = await polls.tally(row.tenant, row.id)
      if (row.status === 'closed' || tally?.state === 'closed') throw new BroadcastStateError('il sondaggio è chiuso: le risposte non si raccolgono più')
      if (!(await workflows.remindPoll(row.tenant, row.id, staff.holder))) throw new BroadcastStateError("l'allerta è chiusa: il sondaggio non raccoglie più risposte")
      logger.info({ tenant: row.tenant, emergencyId: row.id, by: staff.tokenId }, 'safety poll reminder requested')
      return await view(row)
    },

    /** Staff take charge, for themselves or on an official's behalf (who and why recorded on the timeline). */
    async acknowledge(staff: StaffPrincipal, id: string, onBehalf?: { official: string; reason: string }): Promise<EmergencyView> {
      const row = await load(staff, id)
      if (row.status === 'draft') throw new BroadcastStateError("l'allerta non è ancora stata inviata")
      const at = new Date().toISOString()
      const delivered = await workflows.acknowledge(row.tenant, row.id, { by: onBehalf?.official ?? staff.holder, via: 'api', at })
      if (!delivered) throw new BroadcastStateError("l'allerta è chiusa: non c'è più nulla da prendere in carico")
      if (onBehalf) {
        await appendTimeline(db, {
          emergencyId: row.id,
          key: `acknowledged-on-behalf:${at}`,
          kind: 'acknowledged',
          actor: staff.holder,
          detail: { onBehalfOf: onBehalf.official, reason: onBehalf.reason, via: 'api' },
        })
      }
      return await view(row)
    },
  }
}

export type EmergencyLifecycle = ReturnType<typeof createEmergencyLifecycle>
