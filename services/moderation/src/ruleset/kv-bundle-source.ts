import type { KvWatchEntry } from '@nats-io/kv'
import { filesOfBundle } from './ruleset-bundle.js'
import { RulesetInvalidError } from './ruleset-error.js'
import type { RulesetStore } from './ruleset-store.js'

/** What this source needs of a KV bucket (a `KV` from @nats-io/kv). */
export interface RulesetBucket {
  watch(opts: { key: string }): Promise<AsyncIterable<KvWatchEntry> & { stop(): void }>
}

export interface BucketWatch {
  stop(): Promise<void>
}

/**
 * Deployment: follows the bundle under `key` (the current one first, then every update) and
 * loads each into the store. A bundle that breaks its contract, whose version is not the hash of
 * its files, or whose rules are invalid is refused; the rules in force stay. A deleted key leaves
 * the rules in force too.
 */
export async function watchRulesetBucket(store: RulesetStore, bucket: RulesetBucket, key: string, name: string): Promise<BucketWatch> {
  const watcher = await bucket.watch({ key })
  const done = (async () => {
    for await (const entry of watcher) {
      if (entry.operation !== 'PUT') continue
      const origin = `kv ${name}/${key} revision ${entry.revision}`
      try {
        await store.load(filesOfBundle(entry.value, origin), origin)
      } catch (error) {
        // Whatever went wrong, the watch goes on: the next publish may be fine.
        const issues = error instanceof RulesetInvalidError ? error.issues : [{ file: origin, path: '', reason: `load failed: ${(error as Error).message}` }]
        store.refuse(origin, issues)
      }
    }
  })()
  return {
    async stop() {
      watcher.stop()
      await done
    },
  }
}
