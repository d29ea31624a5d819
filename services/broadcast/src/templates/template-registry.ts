import type { BroadcastDraftBody, ComposeTemplate, Tenant, TemplateRegistryEntry, TemplateRegistrySync, TemplateRegistryView, TemplateSyncResult } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import { listWhatsAppTemplates, ProviderError } from '@banditore/providers'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { readTemplateSnapshot, recordTemplateSyncFailure, replaceTemplateSnapshot } from '../repositories/whatsapp-template.repository.js'
import { checkDraftTemplate, composeTemplatesOf, registryCategoryOf, syncStateOf, unconfiguredTemplatesOf } from './template-check.js'

export interface TemplateRegistryDeps {
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  logger: Logger
  /** The environment the tenant files' secrets are read from (`accessTokenEnv`). */
  env: Readonly<Record<string, string | undefined>>
  /** The Graph API base URL (the simulator's locally and in tests). */
  baseUrl: string
  /** Between two syncs of every tenant, ms. */
  intervalMs: number
  /** Per request to Meta, ms. */
  timeoutMs: number
  /** The listing (the providers' client); injectable for tests. */
  list?: typeof listWhatsAppTemplates
  clock?: () => Date
}

type SyncOutcome = TemplateSyncResult['results'][number]

/** Why a read failed, as staff and logs read it (no secrets: the provider error masks numbers). */
function reasonOf(error: unknown): string {
  if (error instanceof ProviderError) return `${error.message}${error.detail ? ` (${error.detail})` : ''}`
  return error instanceof Error ? error.message : String(error)
}

/**
 * The WhatsApp template registry: each tenant's templates read from its business account
 * (GET /{waba-id}/message_templates) at start and every `intervalMs`, kept in
 * broadcast.whatsapp_template. A failed read logs a warning and keeps the last snapshot.
 */
export function createTemplateRegistry(deps: TemplateRegistryDeps) {
  const { db, tenants, logger, clock = () => new Date() } = deps
  const list = deps.list ?? listWhatsAppTemplates
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let running: Promise<unknown> = Promise.resolve()

  async function syncTenant(tenant: Tenant): Promise<SyncOutcome> {
    const channel = tenant.channels.whatsapp
    const at = clock()
    try {
      if (!channel?.businessAccountId) throw new Error('businessAccountId missing')
      const accessToken = deps.env[channel.accessTokenEnv]
      if (!accessToken) throw new Error(`la variabile ${channel.accessTokenEnv}, indicata dal file del comune, non è impostata`)
      const templates: TemplateRegistryEntry[] = (
        await list({ baseUrl: deps.baseUrl, businessAccountId: channel.businessAccountId, accessToken, timeoutMs: deps.timeoutMs })
      ).map((t) => ({ ...t }))
      await replaceTemplateSnapshot(db, tenant.id, templates, at)
      logger.info({ tenant: tenant.id, templates: templates.length }, 'WhatsApp templates synced')
      return { tenant: tenant.id, ok: true, templates: templates.length, error: null }
    } catch (error) {
      const reason = reasonOf(error)
      logger.warn({ tenant: tenant.id, err: error }, 'WhatsApp templates not synced; the last snapshot is kept')
      try {
        await recordTemplateSyncFailure(db, tenant.id, reason, at)
      } catch (recordError) {
        logger.warn({ tenant: tenant.id, err: recordError }, 'WhatsApp template sync failure not recorded')
      }
      return { tenant: tenant.id, ok: false, templates: 0, error: reason }
    }
  }

  /** Tenants with a WhatsApp number and a business account id (or only `tenantId`); one sync at a time. */
  function sync(tenantId?: string): Promise<SyncOutcome[]> {
    const run = async () => {
      const chosen = tenants.all().filter((t) => t.channels.whatsapp?.businessAccountId && (tenantId === undefined || t.id === tenantId))
      const results: SyncOutcome[] = []
      for (const tenant of chosen) results.push(await syncTenant(tenant))
      return results
    }
    const next = running.then(run, run)
    running = next.catch(() => undefined)
    return next
  }

  async function cycle() {
    await sync().catch((error: unknown) => logger.warn({ err: error }, 'WhatsApp template sync failed'))
    if (!stopped) timer = setTimeout(() => void cycle(), deps.intervalMs)
  }

  const snapshotOf = (tenant: Tenant) => readTemplateSnapshot(db, tenant.id)

  return {
    sync,
    /** Runs a sync now (at start), then every `intervalMs`. */
    start() {
      timer = setTimeout(() => void cycle(), 0)
    },
    async stop() {
      stopped = true
      if (timer) clearTimeout(timer)
      await running
    },
    async view(tenant: Tenant): Promise<TemplateRegistryView> {
      const snapshot = await snapshotOf(tenant)
      const configured = new Set((tenant.whatsappTemplates ?? []).map((t) => t.name))
      return { tenant: tenant.id, sync: syncStateOf(tenant, snapshot), templates: snapshot.templates.map((t) => ({ ...t, configured: configured.has(t.name) })) }
    },
    /** What the compose page's picker shows: the tenant file's templates with the registry's word on each. */
    async composeTemplates(tenant: Tenant): Promise<{ templates: ComposeTemplate[]; templateRegistry: TemplateRegistrySync; unconfiguredTemplates: TemplateRegistryEntry[] }> {
      const snapshot = await snapshotOf(tenant)
      return { templates: composeTemplatesOf(tenant, snapshot), templateRegistry: syncStateOf(tenant, snapshot), unconfiguredTemplates: unconfiguredTemplatesOf(tenant, snapshot) }
    },
    /** Throws DraftInvalidError when the registry knows the draft's template cannot be sent as written. */
    async checkDraft(tenant: Tenant, draft: BroadcastDraftBody): Promise<void> {
      if (!draft.whatsapp || !tenant.channels.whatsapp?.businessAccountId) return
      checkDraftTemplate(draft, await snapshotOf(tenant))
    },
    async categoryOf(tenant: Tenant, draft: BroadcastDraftBody) {
      if (!draft.whatsapp) return undefined
      return registryCategoryOf(draft, await snapshotOf(tenant))
    },
  }
}

export type TemplateRegistry = ReturnType<typeof createTemplateRegistry>
