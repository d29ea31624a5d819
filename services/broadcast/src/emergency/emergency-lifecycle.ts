import { randomUUID } from 'node:crypto'
import type { EmergencyDraftBody, EmergencyKind, EmergencyMessage, EmergencyView, Tenant } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { BroadcastStateError, CapInvalidError, DraftInvalidError, EmergencyNotFoundError, ForbiddenError, UnknownTenantError } from '../broadcast-errors.js'
import { parseCapAlert } from '../cap/index.js'
import {
  appendTimeline,
  emergencyMessageCounts,
  findByCapIdentity,
  findEmergency,
  followUpsOf,
  insertEmergency,
  markTriggered,
  readTimeline,
  type EmergencyRow,
} from '../store/emergency.repository.js'
import { capToDraft } from './cap-to-draft.js'
import { emergencyRunInput } from './emergency-content.js'
import type { EmergencyWorkflows } from './emergency-workflow.client.js'

export interface EmergencyLifecycleDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  workflows: EmergencyWorkflows
  logger: Logger
}

const SEVERE_KINDS: readonly EmergencyKind[] = ['alert', 'update', 'cancel']

/**
 * Emergency alerts from the staff side: drafts (by hand or from CAP), the trigger that skips
 * four-eyes approval (who and why recorded), acknowledgements through the API, and the view with
 * the timeline the worker keeps.
 */
export function createEmergencyLifecycle(deps: EmergencyLifecycleDeps) {
  const { db, tenants, workflows, logger } = deps

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

  const view = async (row: EmergencyRow): Promise<EmergencyView> => ({
    id: row.id,
    tenant: row.tenant,
    kind: row.kind,
    references: row.references_id,
    status: row.status,
    message: row.message,
    source: row.source,
    cap: row.cap,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    triggeredBy: row.triggered_by,
    triggeredAt: row.triggered_at?.toISOString() ?? null,
    approvalSkipReason: row.approval_skip_reason,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    messages: await emergencyMessageCounts(db, row.id),
    followUps: await followUpsOf(db, row.id),
  })

  const trigger = async (staff: StaffPrincipal, row: EmergencyRow, reason: string): Promise<EmergencyRow> => {
    const tenant = tenants.get(row.tenant)
    if (!tenant) throw new UnknownTenantError(row.tenant)
    if (row.status !== 'draft') throw new BroadcastStateError(`l'allerta è già ${row.status === 'active' ? 'in corso' : 'chiusa'}`)
    const closes = row.references_id ? (await followUpsOf(db, row.references_id)).filter((f) => f.id !== row.id && f.status === 'active').map((f) => f.id) : []
    const input = {
      ...emergencyRunInput({ alertId: row.id, tenant, kind: row.kind, ...(row.references_id ? { references: row.references_id } : {}), message: row.message }),
      ...(closes.length > 0 ? { closes } : {}),
    }
    // Recorded first: a trigger that reached Temporal is always on the timeline.
    const marked = await db.transaction().execute(async (trx) => {
      if (!(await markTriggered(trx, row.id, staff.tokenId, reason))) return false
      await appendTimeline(trx, { emergencyId: row.id, key: 'triggered', kind: 'triggered', actor: staff.holder, detail: { role: staff.role, tokenId: staff.tokenId } })
      await appendTimeline(trx, { emergencyId: row.id, key: 'approval-skipped', kind: 'approval-skipped', actor: staff.holder, detail: { reason } })
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
    timeline: async (staff: StaffPrincipal, id: string) => readTimeline(db, (await load(staff, id)).id),

    async create(staff: StaffPrincipal, body: EmergencyDraftBody): Promise<EmergencyView> {
      const tenant = tenantFor(staff, body.tenant)
      const kind = body.kind ?? 'alert'
      if (!SEVERE_KINDS.includes(kind)) throw new DraftInvalidError(`tipo ${kind} sconosciuto`, '/kind')
      const { tenant: _t, kind: _k, references: _r, trigger: triggerBody, ...message } = body
      checkMessage(tenant, message)
      const references = await checkFollowUp(tenant, kind, body.references)
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertEmergency(trx, { id: randomUUID(), tenant: tenant.id, kind, references, message, source: 'manual', cap: null, createdBy: staff.tokenId })
        await appendTimeline(trx, { emergencyId: created.id, key: 'created', kind: 'created', actor: staff.holder, detail: { kind, source: 'manual', references } })
        return created
      })
      return await view(triggerBody ? await trigger(staff, row, triggerBody.reason) : row)
    },

    async createFromCap(staff: StaffPrincipal, xml: string, requestedTenant: string | undefined): Promise<EmergencyView> {
      const tenant = tenantFor(staff, requestedTenant)
      const parsed = parseCapAlert(xml)
      if (!parsed.ok) throw new CapInvalidError(parsed.reason)
      const draft = capToDraft(parsed.alert, tenant)
      if ('reason' in draft) throw new CapInvalidError(`CAP non utilizzabile: ${draft.reason}`)
      let references: string | null = null
      if (draft.kind !== 'alert') {
        // The first of the messages it follows that this tenant received: the alert itself, whose
        // later updates the trigger closes too.
        for (const ref of draft.references) {
          const followed = await findByCapIdentity(db, tenant.id, ref.sender, ref.identifier)
          if (followed) {
            references = followed.id
            break
          }
        }
        if (!references) {
          throw new CapInvalidError(`CAP non utilizzabile: segue ${draft.references.map((r) => r.identifier).join(', ')}, che non è tra le allerte del comune ${tenant.id}`)
        }
      }
      checkMessage(tenant, draft.message)
      const row = await db.transaction().execute(async (trx) => {
        const created = await insertEmergency(trx, { id: randomUUID(), tenant: tenant.id, kind: draft.kind, references, message: draft.message, source: 'cap', cap: draft.cap, createdBy: staff.tokenId })
        await appendTimeline(trx, { emergencyId: created.id, key: 'created', kind: 'created', actor: staff.holder, detail: { kind: draft.kind, source: 'cap', cap: draft.cap, references } })
        return created
      })
      return await view(row)
    },

    async trigger(staff: StaffPrincipal, id: string, reason: string): Promise<EmergencyView> {
      return await view(await trigger(staff, await load(staff, id), reason))
    },

    async acknowledge(staff: StaffPrincipal, id: string): Promise<EmergencyView> {
      const row = await load(staff, id)
      if (row.status === 'draft') throw new BroadcastStateError("l'allerta non è ancora stata inviata")
      const delivered = await workflows.acknowledge(row.tenant, row.id, { by: staff.holder, via: 'api', at: new Date().toISOString() })
      if (!delivered) throw new BroadcastStateError("l'allerta è chiusa: non c'è più nulla da prendere in carico")
      return await view(row)
    },
  }
}

export type EmergencyLifecycle = ReturnType<typeof createEmergencyLifecycle>
