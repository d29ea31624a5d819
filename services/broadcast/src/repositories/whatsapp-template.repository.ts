import type { TemplateRegistryEntry } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

/** A tenant's registry: its last snapshot and where its reads stand (undefined sync: never attempted). */
export interface TemplateSnapshot {
  readonly templates: readonly TemplateRegistryEntry[]
  readonly sync: { syncedAt: Date | null; attemptedAt: Date; error: string | null } | undefined
}

/**
 * Replaces the tenant's snapshot with a successful read, as one transaction: a reader sees the
 * old snapshot or the new one. Replicas syncing at once take turns on a transaction lock.
 */
export async function replaceTemplateSnapshot(db: Kysely<BroadcastDatabase>, tenant: string, templates: readonly TemplateRegistryEntry[], at: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`broadcast.whatsapp_template:${tenant}`}))`.execute(trx)
    const scoped = trx.withSchema(SCHEMA)
    await scoped.deleteFrom('whatsapp_template').where('tenant', '=', tenant).execute()
    // One row per (name, language): Meta lists a translation once.
    const unique = [...new Map(templates.map((t) => [`${t.name}|${t.language}`, t])).values()]
    if (unique.length > 0) {
      await scoped
        .insertInto('whatsapp_template')
        .values(
          unique.map((t) => ({
            tenant,
            name: t.name,
            language: t.language,
            status: t.status,
            category: t.category,
            quality_rating: t.qualityRating,
            body: t.body,
            parameter_count: t.parameterCount,
            synced_at: at,
          })),
        )
        .execute()
    }
    await scoped
      .insertInto('whatsapp_template_sync')
      .values({ tenant, synced_at: at, attempted_at: at, error: null })
      .onConflict((oc) => oc.column('tenant').doUpdateSet({ synced_at: at, attempted_at: at, error: null }))
      .execute()
  })
}

/** A failed read: the snapshot stays as it was; the attempt and its reason are recorded. */
export async function recordTemplateSyncFailure(db: Kysely<BroadcastDatabase>, tenant: string, error: string, at: Date): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('whatsapp_template_sync')
    .values({ tenant, synced_at: null, attempted_at: at, error })
    .onConflict((oc) => oc.column('tenant').doUpdateSet({ attempted_at: at, error }))
    .execute()
}

export async function readTemplateSnapshot(db: Kysely<BroadcastDatabase>, tenant: string): Promise<TemplateSnapshot> {
  const scoped = db.withSchema(SCHEMA)
  const [rows, sync] = await Promise.all([
    scoped.selectFrom('whatsapp_template').selectAll().where('tenant', '=', tenant).orderBy('name').orderBy('language').execute(),
    scoped.selectFrom('whatsapp_template_sync').selectAll().where('tenant', '=', tenant).executeTakeFirst(),
  ])
  return {
    templates: rows.map((r) => ({
      name: r.name,
      language: r.language,
      status: r.status,
      category: r.category,
      qualityRating: r.quality_rating,
      body: r.body,
      parameterCount: r.parameter_count,
    })),
    sync: sync && {
      syncedAt: sync.synced_at === null ? null : new Date(sync.synced_at),
      attemptedAt: new Date(sync.attempted_at),
      error: sync.error,
    },
  }
}
