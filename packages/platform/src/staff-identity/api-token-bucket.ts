import { createHash } from 'node:crypto'
import { StaffApiTokenEntryContract, StaffApiTokenKv, type StaffApiTokenEntry } from '@banditore/contracts'
import { Kvm, type KV } from '@nats-io/kv'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '../logger.js'
import type { ApiTokenResolver } from './staff-authenticator.js'

/**
 * The key of an API token in the bucket: SHA-256 hex of its secret. Secrets are 256 random bits,
 * so a fast hash is enough (nothing to brute-force) and the bucket never holds a usable secret.
 */
export const hashApiTokenSecret = (secret: string) => createHash('sha256').update(secret, 'utf8').digest('hex')

/** Opens (creating it where missing) the bucket of live API tokens. */
export async function openStaffApiTokenBucket(nc: NatsConnection, options: { replicas?: number } = {}): Promise<KV> {
  return await new Kvm(nc).create(StaffApiTokenKv.bucket, { history: 1, replicas: options.replicas ?? 1 })
}

/** Publishes a live token (the broadcast service, owner of the tokens, does). */
export async function putStaffApiToken(kv: KV, tokenHash: string, entry: StaffApiTokenEntry): Promise<void> {
  await kv.put(tokenHash, StaffApiTokenEntryContract.encode(entry))
}

/** Withdraws a revoked token. */
export async function deleteStaffApiToken(kv: KV, tokenHash: string): Promise<void> {
  await kv.delete(tokenHash)
}

/** Makes the bucket hold exactly `live` (token hash → entry): puts what is missing or changed, deletes the rest. */
export async function reconcileStaffApiTokens(kv: KV, live: ReadonlyMap<string, StaffApiTokenEntry>): Promise<{ put: number; deleted: number }> {
  let put = 0
  let deleted = 0
  const present = new Set<string>()
  for await (const key of await kv.keys()) present.add(key)
  for (const key of present) {
    if (live.has(key)) continue
    await kv.delete(key)
    deleted++
  }
  for (const [key, entry] of live) {
    const current = present.has(key) ? await kv.get(key) : null
    if (current?.operation === 'PUT' && current.string() === JSON.stringify(entry)) continue
    await putStaffApiToken(kv, key, entry)
    put++
  }
  return { put, deleted }
}

export interface StaffApiTokenCache {
  /** Resolves a secret to its live token (the cache, then the bucket on a miss). */
  resolve: ApiTokenResolver
  stop(): Promise<void>
}

/**
 * Follows the bucket with a KV watch, so verifying a token costs a map lookup; a revoked token's
 * deletion reaches every service within the watch's delivery time. A miss asks the bucket itself
 * (a token created a moment ago may not have arrived through the watch yet).
 */
export async function watchStaffApiTokens(kv: KV, logger?: Logger): Promise<StaffApiTokenCache> {
  const cache = new Map<string, StaffApiTokenEntry>()
  const watcher = await kv.watch({ key: '>' })
  const done = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') {
        cache.delete(entry.key)
        continue
      }
      try {
        cache.set(entry.key, StaffApiTokenEntryContract.decode(entry.value))
      } catch (error) {
        cache.delete(entry.key)
        logger?.warn({ err: error, key: entry.key.slice(0, 8) }, 'staff api token entry refused')
      }
    }
  })()
  const decode = (value: Uint8Array) => {
    try {
      return StaffApiTokenEntryContract.decode(value)
    } catch {
      return undefined
    }
  }
  return {
    async resolve(secret) {
      const key = hashApiTokenSecret(secret)
      const cached = cache.get(key)
      if (cached) return cached
      const entry = await kv.get(key)
      return entry?.operation === 'PUT' ? decode(entry.value) : undefined
    },
    async stop() {
      watcher.stop()
      await done
    },
  }
}
