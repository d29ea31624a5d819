import type { ApiToken, StaffRole } from '@banditore/contracts'
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { ApiTokenTable, BroadcastDatabase } from '../broadcast-database.js'
import { SCHEMA } from '../migrations/index.js'

/** The bootstrap admin's fixed id: replacing BOOTSTRAP_ADMIN_TOKEN replaces its hash. */
export const BOOTSTRAP_TOKEN_ID = '00000000-0000-4000-8000-000000000001'

export type ApiTokenRow = Selectable<ApiTokenTable>

export function toApiToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    tenant: row.tenant,
    role: row.role,
    holder: row.holder,
    label: row.label,
    createdAt: row.created_at.toISOString(),
    revokedAt: row.revoked_at ? new Date(row.revoked_at).toISOString() : null,
  }
}

/** The live (not revoked) token with this hash. */
export async function findActiveTokenByHash(db: Kysely<BroadcastDatabase>, tokenHash: string): Promise<ApiTokenRow | undefined> {
  return await db
    .withSchema(SCHEMA)
    .selectFrom('api_token')
    .selectAll()
    .where('token_hash', '=', tokenHash)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
}

/** Every live token (the KV mirror is reconciled with them). */
export async function listActiveTokens(db: Kysely<BroadcastDatabase>): Promise<ApiTokenRow[]> {
  return await db.withSchema(SCHEMA).selectFrom('api_token').selectAll().where('revoked_at', 'is', null).execute()
}

export async function insertToken(
  db: Kysely<BroadcastDatabase>,
  token: { id: string; tenant: string | null; role: StaffRole; holder: string; label: string; tokenHash: string; createdBy: string | null },
): Promise<ApiTokenRow> {
  return await db
    .withSchema(SCHEMA)
    .insertInto('api_token')
    .values({
      id: token.id,
      tenant: token.tenant,
      role: token.role,
      holder: token.holder,
      label: token.label,
      token_hash: token.tokenHash,
      created_by: token.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
}

/** Creates or re-keys the platform admin token given at start. */
export async function upsertBootstrapToken(db: Kysely<BroadcastDatabase>, tokenHash: string): Promise<void> {
  await db
    .withSchema(SCHEMA)
    .insertInto('api_token')
    .values({ id: BOOTSTRAP_TOKEN_ID, tenant: null, role: 'admin', holder: 'bootstrap', label: 'BOOTSTRAP_ADMIN_TOKEN', token_hash: tokenHash, created_by: null })
    .onConflict((oc) => oc.column('id').doUpdateSet({ token_hash: tokenHash, revoked_at: null }))
    .execute()
}

/** Tokens of one tenant, or of every tenant when `tenant` is undefined; newest first. */
export async function listTokens(db: Kysely<BroadcastDatabase>, tenant: string | undefined): Promise<ApiTokenRow[]> {
  let query = db.withSchema(SCHEMA).selectFrom('api_token').selectAll().orderBy('created_at', 'desc').orderBy('id')
  if (tenant !== undefined) query = query.where('tenant', '=', tenant)
  return await query.execute()
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The token with this id; undefined for another kind of principal id (`person:<sub>`). */
export async function findToken(db: Kysely<BroadcastDatabase> | Transaction<BroadcastDatabase>, id: string): Promise<ApiTokenRow | undefined> {
  if (!UUID.test(id)) return undefined
  return await db.withSchema(SCHEMA).selectFrom('api_token').selectAll().where('id', '=', id).executeTakeFirst()
}

/** Revokes a token; revoking twice keeps the first time. */
export async function revokeToken(db: Kysely<BroadcastDatabase>, id: string): Promise<ApiTokenRow | undefined> {
  return await db
    .withSchema(SCHEMA)
    .updateTable('api_token')
    .set((eb) => ({ revoked_at: eb.fn.coalesce('revoked_at', eb.val(new Date())) }))
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
}
