import type { StaffApiTokenEntry } from '@banditore/contracts'
import { deleteStaffApiToken, openStaffApiTokenBucket, putStaffApiToken, reconcileStaffApiTokens, type Logger } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { listActiveTokens, type ApiTokenRow } from '../repositories/api-token.repository.js'

/**
 * Mirrors the live API tokens into the `staff-api-tokens` KV bucket, so every service verifies
 * them without reading this service's tables: created → put, revoked → deleted, and the whole
 * bucket reconciled with the table at start and every few minutes (a put or delete lost while
 * NATS was away is repaired then).
 */
export interface ApiTokenMirror {
  publish(row: ApiTokenRow): Promise<void>
  withdraw(row: ApiTokenRow): Promise<void>
  reconcile(): Promise<void>
  /** Reconciles now and then every `intervalMs` until stopped. */
  start(intervalMs?: number): Promise<void>
  stop(): void
}

const entryOf = (row: ApiTokenRow): StaffApiTokenEntry => ({ id: row.id, tenant: row.tenant, role: row.role, holder: row.holder, label: row.label })

export function createApiTokenMirror(deps: { db: Kysely<BroadcastDatabase>; nc: NatsConnection; logger: Logger; replicas?: number }): ApiTokenMirror {
  let bucket: ReturnType<typeof openStaffApiTokenBucket> | undefined
  const kv = () => {
    bucket ??= openStaffApiTokenBucket(deps.nc, { replicas: deps.replicas ?? 1 }).catch((error: unknown) => {
      bucket = undefined
      throw error
    })
    return bucket
  }
  let timer: NodeJS.Timeout | undefined
  const mirror: ApiTokenMirror = {
    async publish(row) {
      await putStaffApiToken(await kv(), row.token_hash, entryOf(row))
    },
    async withdraw(row) {
      await deleteStaffApiToken(await kv(), row.token_hash)
    },
    async reconcile() {
      const live = new Map((await listActiveTokens(deps.db)).map((row) => [row.token_hash, entryOf(row)]))
      const { put, deleted } = await reconcileStaffApiTokens(await kv(), live)
      if (put + deleted > 0) deps.logger.info({ put, deleted, live: live.size }, 'api token bucket reconciled')
    },
    async start(intervalMs = 5 * 60_000) {
      await mirror.reconcile().catch((error: unknown) => deps.logger.error({ err: error }, 'api token bucket not reconciled; retrying later'))
      timer = setInterval(() => void mirror.reconcile().catch((error: unknown) => deps.logger.warn({ err: error }, 'api token bucket not reconciled')), intervalMs)
      timer.unref()
    },
    stop() {
      if (timer) clearInterval(timer)
    },
  }
  return mirror
}
