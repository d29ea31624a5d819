import { ModerationKv, RulesetBundleContract } from '@banditore/contracts'
import { Kvm } from '@nats-io/kv'
import { connect } from '@nats-io/transport-node'
import { runRuleCases } from '../cases/case-runner.js'
import { createBundle } from '../ruleset/ruleset-bundle.js'
import { loadRuleset, type SourceOptions } from './cli-context.js'

/**
 * `rules publish`: validates the ruleset and runs every case, then puts the bundle into the KV
 * bucket the running services watch. Nothing is published when a file or a case fails.
 */
export async function publishCommand(options: SourceOptions & { natsUrl: string; bucket: string; key: string }): Promise<void> {
  const loaded = await loadRuleset(options)
  if (!loaded) return
  const report = await runRuleCases(loaded.ruleset)
  if (report.failures.length > 0) {
    console.log(`${report.failures.length} case(s) fail: run \`rules test\`; nothing published`)
    process.exitCode = 1
    return
  }
  const bundle = createBundle(loaded.files, new Date())
  const nc = await connect({ servers: options.natsUrl.split(','), name: 'banditore-rules-cli' })
  try {
    const kv = await new Kvm(nc).create(options.bucket, {
      history: 10,
      description: 'Moderation ruleset bundles published by `rules publish`',
    })
    const revision = await kv.put(options.key, RulesetBundleContract.encode(bundle))
    console.log(`published ${bundle.rulesetVersion} (${loaded.files.size} files) to kv ${options.bucket}/${options.key} revision ${revision}`)
  } finally {
    await nc.drain()
  }
}

export const PUBLISH_DEFAULTS = { bucket: ModerationKv.bucket, key: ModerationKv.activeKey }
