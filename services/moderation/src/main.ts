import { ModerationKv, Streams } from '@banditore/contracts'
import { connectNats, createLogger, ensureStreams, installShutdown, loadTenantDirectory, runMain } from '@banditore/platform'
import { Kvm } from '@nats-io/kv'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { compileRuleset } from './ruleset/compiled-ruleset.js'
import { watchRulesDirectory } from './ruleset/directory-watch-source.js'
import { watchRulesetBucket } from './ruleset/kv-bundle-source.js'
import { readRulesetDirectory } from './ruleset/ruleset-files.js'
import { RulesetStore } from './ruleset/ruleset-store.js'
import { InMemorySenderHistoryStore } from './sender/sender-history-store.js'
import { ProfileDirectory } from './tenant/moderation-profile.js'

const DAY_MS = 24 * 60 * 60 * 1000

// The only file that touches the process: environment, connections, signals.
runMain('moderation', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'moderation', level: config.LOG_LEVEL })
  const profiles = ProfileDirectory.fromTenants((await loadTenantDirectory(config.TENANTS_DIR)).all())
  // The rules on disk are the ruleset at start (in deployment, the ones shipped in the image
  // until the KV bucket's bundle replaces them). Invalid ones stop the start, naming the problem.
  const store = new RulesetStore(await compileRuleset(await readRulesetDirectory(config.RULES_DIR), profiles), profiles)
  const senders = new InMemorySenderHistoryStore({
    maxSenders: config.SENDER_HISTORY_MAX_SENDERS,
    violationTtlMs: config.VIOLATION_MEMORY_DAYS * DAY_MS,
  })
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: 'moderation', logger })
  await ensureStreams(nc, [Streams.inbound, Streams.moderation, Streams.deadLetter], { replicas: config.NATS_STREAM_REPLICAS })

  const app = buildApp(config, { logger, nc, store, senders })
  let stopSource: () => Promise<void> = async () => undefined
  if (config.RULESET_SOURCE === 'directory') {
    const watch = watchRulesDirectory(store, config.RULES_DIR, { debounceMs: config.RULES_DEBOUNCE_MS })
    stopSource = async () => watch.close()
  } else if (config.RULESET_SOURCE === 'kv') {
    const bucket = await new Kvm(nc).create(ModerationKv.bucket, { history: 10, replicas: config.NATS_STREAM_REPLICAS })
    const watch = await watchRulesetBucket(store, bucket, ModerationKv.activeKey, ModerationKv.bucket)
    stopSource = () => watch.stop()
  }
  await app.start()
  installShutdown({
    logger,
    steps: [
      { name: 'http', run: () => app.server.close() },
      // Stop pulling messages and let the one in flight publish its verdict and be acked.
      { name: 'consumer', run: () => app.stop() },
      { name: 'ruleset source', run: stopSource },
      { name: 'nats', run: () => nc.drain() },
    ],
  })
  await app.server.listen({ port: config.PORT, host: config.HOST })
  logger.info(
    { port: config.PORT, rulesetVersion: store.current.version, rulesetSource: config.RULESET_SOURCE, tenants: profiles.all().length },
    'moderation listening',
  )
})
