import { Consumers, Events } from '@banditore/contracts'
import {
  consume,
  createServiceServer,
  DurablePublisher,
  createStaffAuthenticator,
  oidcVerificationOf,
  openStaffApiTokenBucket,
  pingNats,
  watchStaffApiTokens,
  type ApiTokenResolver,
  type Logger,
  type StaffApiTokenCache,
  type ReadinessCheck,
  type RunningConsumer,
} from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { ModerationConfig } from './config.js'
import { createVerdictHandler, type VerdictPublisher } from './inbound/verdict-handler.js'
import { createModerationMetrics, type ModerationMetrics } from './moderation-metrics.js'
import { serveOutboundChecks } from './outbound/outbound-responder.js'
import { readDevCorpus } from './policy/policy-bench.js'
import { formatIssue } from './ruleset/ruleset-error.js'
import { registerPolicyRoutes } from './routes/policy.routes.js'
import { registerPolicyVersionRoutes } from './routes/policy-versions.routes.js'
import { registerReviewRoutes } from './routes/review.routes.js'
import { PolicyPublisher } from './policy/policy-publisher.js'
import type { RulesetVersionLog } from './policy/ruleset-version-log.js'
import type { ReviewQueue } from './review/review-queue.js'
import type { CorpusEntry } from './corpus/corpus-evaluator.js'
import type { RulesetStore } from './ruleset/ruleset-store.js'
import type { SenderHistoryStore } from './sender/sender-history-store.js'
import type { SenderOrderGate } from './sender/sender-order-gate.js'

export interface ModerationDeps {
  readonly logger: Logger
  readonly nc: NatsConnection
  readonly store: RulesetStore
  readonly senders: SenderHistoryStore
  readonly now?: () => Date
  /** Keeps a sender's messages in stream order across replicas (with the shared KV history). */
  readonly gate?: SenderOrderGate
  /** API tokens; default: the staff-api-tokens KV bucket the broadcast service mirrors them into. */
  readonly staffApiTokens?: ApiTokenResolver
  /** The versions published from the bench; without it (rules not followed from KV) nothing is published. */
  readonly versions?: RulesetVersionLog
  /** Where `review` verdicts wait for staff; without it they are not queued. */
  readonly reviews?: ReviewQueue
}

export interface ModerationApp {
  /** Health, readiness and metrics; not listening until main.ts says so. */
  readonly server: ReturnType<typeof createServiceServer>
  readonly metrics: ModerationMetrics
  /** Starts consuming inbound messages and answering outbound checks. */
  start(): Promise<void>
  /** Stops intake and waits for what is in flight. */
  stop(): Promise<void>
}

/** Logs and counts every ruleset load; a refused one lists its file, path and reason. */
function watchRulesetLoads(store: RulesetStore, logger: Logger, metrics: ModerationMetrics): void {
  metrics.rulesetInfo.set({ version: store.current.version }, 1)
  store.onChange((outcome) => {
    metrics.rulesetLoads.inc({ outcome: outcome.loaded ? 'loaded' : 'refused' })
    if (outcome.loaded) {
      metrics.rulesetInfo.reset()
      metrics.rulesetInfo.set({ version: outcome.version }, 1)
      if (outcome.changed) logger.info({ rulesetVersion: outcome.version, origin: outcome.origin }, 'ruleset loaded')
      return
    }
    logger.error(
      { origin: outcome.origin, activeVersion: outcome.activeVersion, issues: outcome.issues.slice(0, 20).map(formatIssue) },
      'ruleset refused; the rules in force stay',
    )
  })
}

/** The moderation service, built from its connections; main.ts owns the process. */
export function buildApp(config: ModerationConfig, deps: ModerationDeps): ModerationApp {
  const now = deps.now ?? (() => new Date())
  const metrics = createModerationMetrics()
  watchRulesetLoads(deps.store, deps.logger, metrics)

  let consumer: RunningConsumer | undefined
  let consumerEnded = false
  let outbound: { stop(): Promise<void> } | undefined
  let durable: DurablePublisher | undefined
  const readiness: Record<string, ReadinessCheck> = {
    nats: () => pingNats(deps.nc),
    consumer: async () => {
      if (!consumer || consumerEnded) throw new Error('not consuming inbound messages')
    },
  }
  const server = createServiceServer({ service: 'moderation', logger: deps.logger, registry: metrics.registry, readiness })

  // The policy editors' bench, behind the platform's one staff identity: people's access tokens
  // (OIDC_ISSUER) and the API tokens broadcast mirrors into the staff-api-tokens bucket (watched
  // from start(), or from the first staff request).
  let tokenCache: Promise<StaffApiTokenCache> | undefined
  const openTokenCache = () => {
    if (!tokenCache) {
      const opening = openStaffApiTokenBucket(deps.nc, { replicas: config.NATS_STREAM_REPLICAS }).then((kv) => watchStaffApiTokens(kv, deps.logger))
      // A failure is tried again by the next request.
      opening.catch(() => {
        if (tokenCache === opening) tokenCache = undefined
      })
      tokenCache = opening
    }
    return tokenCache
  }
  const oidc = oidcVerificationOf(config)
  const authenticator = createStaffAuthenticator({
    ...(oidc ? { oidc } : {}),
    apiTokens: deps.staffApiTokens ?? (async (secret) => (await openTokenCache()).resolve(secret)),
  })
  let corpus: Promise<CorpusEntry[]> | undefined
  registerPolicyRoutes(server, {
    store: deps.store,
    authenticator,
    corpus: () => (corpus ??= readDevCorpus(config.RULES_DIR)),
  })
  registerPolicyVersionRoutes(server, {
    store: deps.store,
    authenticator,
    publisher: deps.versions ? new PolicyPublisher(deps.versions, deps.store, now) : undefined,
  })
  // Decisions go out on MODERATION (subscriptions blocks the senders staff block); the publisher
  // is made at the first decision.
  let decisions: DurablePublisher | undefined
  if (deps.reviews) {
    registerReviewRoutes(server, {
      store: deps.store,
      authenticator,
      reviews: deps.reviews,
      now,
      publishDecision: async (decided) => {
        decisions ??= new DurablePublisher(deps.nc, { timeoutMs: config.PUBLISH_TIMEOUT_MS })
        await decisions.publish(Events.reviewDecided.subject(decided.tenant), Events.reviewDecided.contract.encode(decided), { msgId: decided.id })
      },
    })
  }
  server.addHook('onClose', async () => {
    if (tokenCache) await (await tokenCache.catch(() => undefined))?.stop()
    decisions?.close()
  })

  return {
    server,
    metrics,
    async start() {
      if (!deps.staffApiTokens) await openTokenCache()
      const verdicts = new DurablePublisher(deps.nc, { timeoutMs: config.PUBLISH_TIMEOUT_MS })
      durable = verdicts
      const publisher: VerdictPublisher = {
        publish: (subject, data, { msgId }) => verdicts.publish(subject, data, { msgId }),
      }
      const handle = createVerdictHandler({
        store: deps.store,
        senders: deps.senders,
        publisher,
        logger: deps.logger,
        metrics,
        now,
        ...(deps.gate ? { gate: deps.gate } : {}),
        ...(deps.reviews ? { reviews: deps.reviews } : {}),
      })
      outbound = serveOutboundChecks({ nc: deps.nc, store: deps.store, logger: deps.logger, metrics, now })
      // One message at a time: a sender's messages are decided in order, against a history
      // that already holds the previous one; across replicas the gate keeps that order.
      consumer = await consume(
        deps.nc,
        Consumers.moderation,
        async (message, { subject, seq }) => {
          await handle(message, subject, seq)
        },
        deps.logger,
        { maxDeliver: config.MAX_DELIVER },
      )
      void consumer.done.finally(() => {
        consumerEnded = true
      })
    },
    async stop() {
      await consumer?.stop()
      await outbound?.stop()
      durable?.close()
    },
  }
}
