import { Consumers, ModerationKv, SenderHistoryKv, Streams } from '@banditore/contracts'
import { jetstreamManager } from '@nats-io/jetstream'
import type { ServiceDefinition } from '@banditore/platform'
import { Kvm } from '@nats-io/kv'
import { buildApp } from './app.js'
import { loadConfig, type ModerationConfig } from './config.js'
import { compileRuleset } from './ruleset/compiled-ruleset.js'
import { watchRulesDirectory } from './ruleset/directory-watch-source.js'
import { watchRulesetBucket } from './ruleset/kv-bundle-source.js'
import { readRulesetDirectory } from './ruleset/ruleset-files.js'
import { RulesetStore } from './ruleset/ruleset-store.js'
import { KvSenderHistoryStore, openSenderHistoryBucket } from './sender/kv-sender-history-store.js'
import { InMemorySenderHistoryStore, type SenderHistoryStore } from './sender/sender-history-store.js'
import { JetStreamSenderOrderGate, jetStreamOrderSource, type SenderOrderGate } from './sender/sender-order-gate.js'
import { ProfileDirectory } from './tenant/moderation-profile.js'
import { RulesetVersionLog } from './policy/ruleset-version-log.js'
import { ReviewQueue } from './review/review-queue.js'
import { servePrivacyExports } from './sender/privacy-export-responder.js'
import { startSenderErasureConsumer } from './sender/sender-erasure-consumer.js'

const DAY_MS = 24 * 60 * 60 * 1000

/** Moderation as a deployable: a verdict on every inbound message, by the rules in force. */
export const moderationService: ServiceDefinition<ModerationConfig> = {
  name: 'moderation',
  loadConfig,
  streams: [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.deadLetter],
  tenants: true,
  async start({ config, logger, tenants, nc }) {
    const profiles = ProfileDirectory.fromTenants(tenants.all())
    // The rules on disk are the ruleset at start (in deployment, the ones shipped in the image
    // until the KV bucket's bundle replaces them). Invalid ones stop the start, naming the problem.
    const store = new RulesetStore(await compileRuleset(await readRulesetDirectory(config.RULES_DIR), profiles), profiles)
    // kv: one history for every replica, so a second replica decides as the first would; the
    // gate keeps one sender's messages in stream order across replicas.
    let senders: SenderHistoryStore
    let gate: SenderOrderGate | undefined
    if (config.SENDER_HISTORY === 'kv') {
      const kv = new KvSenderHistoryStore(
        await openSenderHistoryBucket(nc, SenderHistoryKv.bucket, {
          ttlMs: config.VIOLATION_MEMORY_DAYS * DAY_MS,
          replicas: config.NATS_STREAM_REPLICAS,
        }),
        { violationTtlMs: config.VIOLATION_MEMORY_DAYS * DAY_MS },
      )
      senders = kv
      const source = jetStreamOrderSource(
        await jetstreamManager(nc),
        Consumers.moderation.event.stream.name,
        Consumers.moderation.durable,
        'inbound.message.',
      )
      gate = new JetStreamSenderOrderGate(source, (tenant, sender) => kv.recordedIds(tenant, sender), {
        maxWaitMs: config.SENDER_ORDER_WAIT_MS,
        logger,
      })
    } else {
      senders = new InMemorySenderHistoryStore({
        maxSenders: config.SENDER_HISTORY_MAX_SENDERS,
        violationTtlMs: config.VIOLATION_MEMORY_DAYS * DAY_MS,
      })
    }
    const reviews = await ReviewQueue.open(nc, ModerationKv.reviewBucket, config.NATS_STREAM_REPLICAS)
    const rulesetBucket = config.RULESET_SOURCE === 'kv' ? await new Kvm(nc).create(ModerationKv.bucket, { history: 10, replicas: config.NATS_STREAM_REPLICAS }) : undefined
    // The bench publishes only where the rules follow the bucket: a publish reaches every instance.
    const versions = rulesetBucket
      ? await RulesetVersionLog.open(nc, { bucket: ModerationKv.versionsBucket, rulesets: rulesetBucket, activeKey: ModerationKv.activeKey, replicas: config.NATS_STREAM_REPLICAS })
      : undefined
    const app = buildApp(config, { logger, nc, store, senders, reviews, ...(gate ? { gate } : {}), ...(versions ? { versions } : {}) })
    let stopSource: () => Promise<void> = async () => undefined
    if (config.RULESET_SOURCE === 'directory') {
      const watch = watchRulesDirectory(store, config.RULES_DIR, { debounceMs: config.RULES_DEBOUNCE_MS })
      stopSource = async () => watch.close()
    } else if (rulesetBucket) {
      const watch = await watchRulesetBucket(store, rulesetBucket, ModerationKv.activeKey, ModerationKv.bucket)
      stopSource = () => watch.stop()
    }
    await app.start()
    const erasures = await startSenderErasureConsumer({ nc, senders, reviews, logger })
    const exports = servePrivacyExports({ nc, senders, reviews, logger })
    return {
      http: app.server,
      stop: [
        // Stop pulling messages and let the one in flight publish its verdict and be acked.
        { name: 'consumer', run: () => app.stop() },
        { name: 'erasures', run: () => erasures.stop() },
        { name: 'privacy exports', run: () => exports.drain() },
        { name: 'ruleset source', run: stopSource },
      ],
      describe: { rulesetVersion: store.current.version, rulesetSource: config.RULESET_SOURCE, senderHistory: config.SENDER_HISTORY },
    }
  },
}
