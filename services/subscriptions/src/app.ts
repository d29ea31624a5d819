import { Consumers } from '@banditore/contracts'
import {
  consume,
  createServiceServer,
  createStaffAuthenticator,
  oidcVerificationOf,
  openStaffApiTokenBucket,
  pingDatabase,
  pingNats,
  watchStaffApiTokens,
  type ApiTokenResolver,
  type Logger,
  type RunningConsumer,
  type TenantDirectory,
} from '@banditore/platform'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Counter, Registry } from 'prom-client'
import { serveAudienceCount } from './audience/audience-count-responder.js'
import { serveAudience } from './audience/audience-responder.js'
import { serveSafetyPolls } from './processing/safety-poll-responder.js'
import type { SubscriptionsConfig } from './config.js'
import { createStaffGuard } from './routes/staff-auth.js'
import { staffRoutes } from './routes/staff.routes.js'
import { deskConsoleRoutes } from './routes/desk-console.routes.js'
import { subscriberRoutes } from './routes/subscribers.routes.js'
import { createPhoneHasher } from './privacy/phone-hash.js'
import { RetentionJob } from './privacy/retention-job.js'
import { chainUnchainedRecords } from './repositories/consent-ledger.repository.js'
import { createReviewDecisionHandler } from './processing/review-decision-handler.js'
import { createDeliveryStatusMessageHandler } from './processing/delivery-status-handler.js'
import { OutboxRelay } from './processing/outbox-relay.js'
import { createVerdictMessageHandler, type ProcessingDeps } from './processing/verdict-handler.js'
import type { SubscriptionsDatabase } from './subscriptions-database.js'
import { buildTenantProfiles } from './tenant/tenant-profile.js'
import { createRemoteExports } from './privacy/remote-exports.js'

export interface SubscriptionsDeps {
  logger: Logger
  nc: NatsConnection
  /** Scoped to the service's schema (`db.withSchema(SCHEMA)`). */
  db: Kysely<SubscriptionsDatabase>
  tenants: TenantDirectory
  /** The service's clock; tests inject one (office hours, intervals, retention). */
  clock?: () => Date
  /** API tokens; default: the staff-api-tokens KV bucket the broadcast service mirrors them into. */
  staffApiTokens?: ApiTokenResolver
}

export interface SubscriptionsService {
  app: FastifyInstance
  processing: ProcessingDeps
  relay: OutboxRelay
  retention: RetentionJob
}

/** Durable consumer names: one per tenant for verdicts, so each tenant's citizens are handled in order. */

/**
 * The service, without a port: the staff API on a fastify instance whose ready hook starts the
 * background work (verdict and status consumers, the audience page and count responders, the
 * outbox relay, the retention job) and whose close hook stops it, letting messages in flight
 * finish.
 */
export async function buildSubscriptionsService(config: SubscriptionsConfig, deps: SubscriptionsDeps): Promise<SubscriptionsService> {
  const clock = deps.clock ?? (() => new Date())
  const profiles = buildTenantProfiles(deps.tenants.all())
  const registry = new Registry()
  const verdicts = new Counter({ name: 'subscriptions_verdicts_total', help: 'Verdicts handled by outcome', labelNames: ['tenant', 'outcome'], registers: [registry] })
  const relay = new OutboxRelay(deps.db, deps.nc, deps.logger)
  const processing: ProcessingDeps = {
    db: deps.db,
    profiles,
    hashPhone: createPhoneHasher(config.SUBSCRIBER_HASH_KEY),
    clock,
    logger: deps.logger,
    relay,
    remoteExports: createRemoteExports(deps.nc),
    observe: (tenant, outcome) => verdicts.inc({ tenant, outcome }),
  }
  const retention = new RetentionJob(
    deps.db,
    {
      deskDays: config.DESK_RETENTION_DAYS,
      consentEvidenceDays: config.CONSENT_EVIDENCE_RETENTION_DAYS,
      senderDays: config.SENDER_RETENTION_DAYS,
      snapshotDays: config.AUDIENCE_SNAPSHOT_RETENTION_DAYS,
    },
    clock,
    deps.logger,
  )

  const app = createServiceServer({
    service: 'subscriptions',
    logger: deps.logger,
    registry,
    readiness: {
      nats: () => pingNats(deps.nc),
      postgres: () => pingDatabase(deps.db),
    },
  })
  // One staff identity: people's access tokens (OIDC_ISSUER) and the API tokens broadcast mirrors.
  const tokenCache = deps.staffApiTokens ? undefined : await watchStaffApiTokens(await openStaffApiTokenBucket(deps.nc, { replicas: config.NATS_STREAM_REPLICAS }), deps.logger)
  const oidc = oidcVerificationOf(config)
  const authenticator = createStaffAuthenticator({
    ...(oidc ? { oidc } : {}),
    apiTokens: deps.staffApiTokens ?? tokenCache!.resolve,
  })
  app.addHook('onClose', async () => await tokenCache?.stop())
  await app.register(staffRoutes, { ...processing, authenticate: createStaffGuard(authenticator) })
  await app.register(deskConsoleRoutes, { ...processing, authenticate: createStaffGuard(authenticator) })
  await app.register(subscriberRoutes, { ...processing, authenticate: createStaffGuard(authenticator) })

  const consumers: RunningConsumer[] = []
  let audience: Subscription | undefined
  let audienceCounts: Subscription | undefined
  let safetyPolls: Subscription[] = []
  app.addHook('onReady', async () => {
    // Consent records written before the chain existed are chained once, before any new one.
    const chained = await chainUnchainedRecords(deps.db, processing.hashPhone)
    if (chained > 0) deps.logger.info({ chained }, 'consent records chained')
    const onVerdict = createVerdictMessageHandler(processing)
    for (const tenant of profiles.keys()) {
      consumers.push(
        await consume(deps.nc, Consumers.subscriptionsVerdicts(tenant), onVerdict, deps.logger),
      )
    }
    consumers.push(
      await consume(deps.nc, Consumers.subscriptionsStatuses, createDeliveryStatusMessageHandler(processing), deps.logger),
      await consume(deps.nc, Consumers.subscriptionsReviewDecisions, createReviewDecisionHandler(processing), deps.logger),
    )
    audience = serveAudience(deps.nc, processing, deps.logger)
    audienceCounts = serveAudienceCount(deps.nc, processing, deps.logger)
    safetyPolls = serveSafetyPolls(deps.nc, processing, deps.logger)
    relay.start(config.OUTBOX_RELAY_INTERVAL_MS)
    retention.start(config.RETENTION_INTERVAL_MINUTES * 60_000)
  })
  app.addHook('onClose', async () => {
    audience?.unsubscribe()
    audienceCounts?.unsubscribe()
    for (const sub of safetyPolls) sub.unsubscribe()
    await Promise.all(consumers.map((c) => c.stop()))
    await retention.stop()
    await relay.stop()
    // What the last handlers queued goes out before the connection drains.
    await relay.flush().catch((error: unknown) => deps.logger.warn({ err: error }, 'final outbox flush failed; the next start publishes it'))
    relay.close()
  })
  return { app, processing, relay, retention }
}

/** The service as a fastify instance, without a port: tests call `inject()` on it. */
export async function buildApp(config: SubscriptionsConfig, deps: SubscriptionsDeps): Promise<FastifyInstance> {
  return (await buildSubscriptionsService(config, deps)).app
}
