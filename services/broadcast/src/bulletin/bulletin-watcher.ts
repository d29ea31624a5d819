import { createHash, randomUUID } from 'node:crypto'
import type { BulletinCheckView, BulletinOrigin, Tenant } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { emergencyRunInput } from '../emergency/emergency-content.js'
import { appendTimeline, insertEmergency } from '../repositories/emergency.repository.js'
import { claimDraft, draftsToNotify, markNotified, recordCheck, recordReading } from '../repositories/bulletin.repository.js'
import { findEmergency } from '../repositories/emergency.repository.js'
import { bulletinDraftMessage, bulletinNoticeTexts } from './bulletin-draft.js'
import { BulletinFormatError, findZone, parseBulletinIndex, parseBulletinZones, type BulletinZone } from './dpc-bulletin.js'
import type { StaffNotices } from './staff-notice.client.js'

/** Who the job's drafts and timeline steps are recorded as. */
export const BULLETIN_ACTOR = 'system:bollettino-dpc'
/** The largest file read (the national GeoJSON is about 6 MB, the TopoJSON about 1.2 MB). */
const MAX_BYTES = 32 * 1024 * 1024

export interface BulletinWatcherDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  logger: Logger
  notices: StaffNotices
  /** The index of the bulletin to read (empty: the job is off; checks answer so). */
  indexUrl: string
  intervalMs: number
  timeoutMs: number
}

/**
 * Reads the DPC criticality bulletin for every tenant that names its alert zone
 * (`emergency.bulletin`): the index, then today's and tomorrow's files. Each reading is kept
 * once; an orange or red zone becomes an emergency draft (never triggered: a person sends it)
 * once per tenant, zone, day and colour, by a unique key, so replicas checking at once and the
 * next bulletin's reading of the same day draft nothing twice; the staff on duty are told by a
 * worker notice. A failed read (unreachable, 404, malformed) is recorded and logged as a warning,
 * and the next cycle tries again: it never stops the service.
 */
export function createBulletinWatcher(deps: BulletinWatcherDeps) {
  const { db, tenants, logger, notices } = deps
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  // One check at a time in this process (a POST during a poll waits for it); replicas rely on the keys.
  let running: Promise<unknown> = Promise.resolve()

  const download = async (url: string, what: string): Promise<unknown> => {
    let response: Response
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(deps.timeoutMs), headers: { accept: 'application/json' } })
    } catch (error) {
      throw new BulletinFormatError(`${what} non raggiungibile (${url}): ${(error as Error).message}`, { cause: error })
    }
    if (!response.ok) throw new BulletinFormatError(`${what} non disponibile (${url}): HTTP ${response.status}`)
    const text = await response.text()
    if (text.length > MAX_BYTES) throw new BulletinFormatError(`${what} troppo grande (${url})`)
    try {
      return JSON.parse(text) as unknown
    } catch (error) {
      throw new BulletinFormatError(`${what} non è JSON valido (${url})`, { cause: error })
    }
  }

  /** One tenant's reading of one day: kept, and drafted when orange or red. Returns the draft's id if one was made. */
  const readTenant = async (tenant: Tenant, index: { name: string; bulletinId: string }, day: string, zones: BulletinZone[]): Promise<string | undefined> => {
    const watch = tenant.emergency?.bulletin
    if (!watch) return undefined
    const zone = findZone(zones, watch)
    if (!zone) throw new BulletinFormatError(`la zona di allerta ${watch.zone} del comune ${tenant.id} non è nel bollettino ${index.bulletinId}`)
    await recordReading(db, { tenant: tenant.id, bulletinId: index.bulletinId, bulletinName: index.name, day, zone: watch.zone, colour: zone.colour, criticality: zone.criticality })
    if (zone.colour !== 'orange' && zone.colour !== 'red') return undefined
    const template = tenant.emergency?.alertTemplates?.find((t) => t.id === watch.alertTemplate)
    if (!template) throw new BulletinFormatError(`il modello di allerta ${watch.alertTemplate} del comune ${tenant.id} non esiste (emergency.alertTemplates)`)
    const origin: BulletinOrigin = { bulletinId: index.bulletinId, bulletinName: index.name, day, zone: watch.zone, colour: zone.colour, criticality: zone.criticality }
    const message = bulletinDraftMessage(tenant, template, origin)
    const id = randomUUID()
    const drafted = await db
      .transaction()
      .execute(async (trx) => {
        await insertEmergency(trx, { id, tenant: tenant.id, kind: 'alert', references: null, message, source: 'bulletin', cap: null, bulletin: origin, createdBy: BULLETIN_ACTOR })
        // The key decides: another replica, or an earlier bulletin's reading of the same day, may have it.
        if (!(await claimDraft(trx, { tenant: tenant.id, zone: watch.zone, day, colour: zone.colour as 'orange' | 'red', bulletinId: index.bulletinId, emergencyId: id }))) throw ALREADY_DRAFTED
        await appendTimeline(trx, { emergencyId: id, key: 'created', kind: 'created', actor: BULLETIN_ACTOR, detail: { kind: 'alert', source: 'bulletin', bulletin: origin } })
        return true
      })
      .catch((error: unknown) => {
        if (error === ALREADY_DRAFTED) return false
        throw error
      })
    if (!drafted) return undefined
    logger.info({ tenant: tenant.id, emergencyId: id, bulletinId: index.bulletinId, day, zone: watch.zone, colour: zone.colour }, 'emergency draft from the DPC bulletin')
    return id
  }

  /** Tells the staff on duty of each draft not notified yet (this check's, and any a failure left). */
  const notify = async () => {
    for (const draft of await draftsToNotify(db)) {
      const tenant = tenants.get(draft.tenant)
      const row = await findEmergency(db, draft.emergencyId)
      if (!tenant || !row?.bulletin) continue
      const onDuty = tenant.emergency?.onDuty ?? []
      const noticeId = noticeIdOf(draft.emergencyId)
      if (onDuty.length > 0) {
        const texts = bulletinNoticeTexts(tenant, row.bulletin)
        // WhatsApp contacts get the alert template with the notice as its text (as escalation notices do).
        const whatsapp = emergencyRunInput({ alertId: row.id, tenant, kind: 'alert', message: row.message }).citizens.content.whatsapp
        await notices.send({ version: 1, noticeId, tenant: tenant.id, contacts: onDuty, texts, defaultLanguage: tenant.languages[0] as string, ...(whatsapp ? { whatsapp } : {}) })
      }
      if (!(await markNotified(db, draft.emergencyId))) continue
      await appendTimeline(db, {
        emergencyId: draft.emergencyId,
        key: 'bulletin-on-duty-notice',
        kind: 'on-duty-alerted',
        actor: BULLETIN_ACTOR,
        detail: onDuty.length > 0 ? { names: onDuty.map((c) => c.name), noticeId, reason: 'bozza dal bollettino di criticità' } : { names: [], note: 'nessun reperibile nel file del comune (emergency.onDuty)' },
      })
      logger.info({ tenant: tenant.id, emergencyId: draft.emergencyId, contacts: onDuty.length }, 'staff on duty told of a bulletin draft')
    }
  }

  const checkOnce = async (): Promise<BulletinCheckView> => {
    if (!deps.indexUrl) return await recordCheck(db, { ok: false, error: 'lettura del bollettino disattivata: DPC_BULLETIN_INDEX_URL non è impostato', bulletins: [], drafts: [] })
    const errors: string[] = []
    const bulletins: string[] = []
    const drafts: BulletinCheckView['drafts'] = []
    try {
      const index = parseBulletinIndex(await download(deps.indexUrl, "l'indice del bollettino"), deps.indexUrl)
      bulletins.push(index.bulletinId)
      const watching = tenants.all().filter((t) => t.emergency?.bulletin)
      for (const day of index.days) {
        let zones: BulletinZone[]
        try {
          zones = parseBulletinZones(await download(day.url, `il bollettino di ${day.which === 'today' ? 'oggi' : 'domani'}`))
        } catch (error) {
          errors.push((error as Error).message)
          continue
        }
        for (const tenant of watching) {
          try {
            const id = await readTenant(tenant, index, day.day, zones)
            if (id) drafts.push({ tenant: tenant.id, emergencyId: id })
          } catch (error) {
            if (!(error instanceof BulletinFormatError)) throw error
            errors.push(error.message)
          }
        }
      }
    } catch (error) {
      if (!(error instanceof BulletinFormatError)) throw error
      errors.push(error.message)
    }
    try {
      await notify()
    } catch (error) {
      errors.push(`avviso ai reperibili non partito, riprovo al prossimo controllo: ${(error as Error).message}`)
    }
    if (errors.length > 0) logger.warn({ errors, bulletins }, 'DPC bulletin check incomplete; next cycle retries')
    return await recordCheck(db, { ok: errors.length === 0, error: errors.length > 0 ? errors.join('; ') : null, bulletins, drafts })
  }

  const check = (): Promise<BulletinCheckView> => {
    const next = running.then(checkOnce, checkOnce)
    running = next.catch(() => undefined)
    return next
  }

  const cycle = async () => {
    try {
      await check()
    } catch (error) {
      // The database or Temporal may be down for a while: say so, and try again next cycle.
      logger.warn({ err: error }, 'DPC bulletin check failed; next cycle retries')
    }
    if (!stopped) timer = setTimeout(() => void cycle(), deps.intervalMs)
  }

  return {
    check,
    /** Polls every `intervalMs` (the first check at once); nothing when no index URL is configured. */
    start() {
      if (!deps.indexUrl) {
        logger.info('DPC bulletin drafts off (DPC_BULLETIN_INDEX_URL empty)')
        return
      }
      timer = setTimeout(() => void cycle(), 0)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
  }
}

export type BulletinWatcher = ReturnType<typeof createBulletinWatcher>

const ALREADY_DRAFTED = new Error('already drafted')

/** The notice's send id, the same for every replica and retry of one draft. */
function noticeIdOf(emergencyId: string): string {
  const h = createHash('sha256').update(`bulletin-notice:${emergencyId}`).digest('hex')
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`
}
