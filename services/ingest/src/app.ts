import {
  createServiceServer,
  DurablePublisher,
  pingDatabase,
  pingNats,
  type Logger,
  type ReadinessCheck,
  type TenantDirectory,
} from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { IngestConfig } from './config.js'
import { InboundIntake, type IntakePublisher } from './inbound-intake.js'
import type { IngestDatabase } from './ingest-database.js'
import { createIngestMetrics } from './ingest-metrics.js'
import { PaperFormOperators } from './paper-form-operators.js'
import { PostgresReceivedMessageLedger, type ReceivedMessageLedger } from './repositories/received-message.repository.js'
import { signupFormRoutes } from './routes/signup-form.routes.js'
import { smsWebhookRoutes } from './routes/sms-webhook.routes.js'
import { WebhookCredentials, type SecretResolver } from './webhook-credentials.js'
import { whatsAppWebhookRoutes } from './routes/whatsapp-webhook.routes.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Which inbound door a route is, for the request metrics. */
    door?: string
  }
}

export interface IngestDeps {
  logger: Logger
  nc: NatsConnection
  db: Kysely<IngestDatabase>
  tenants: TenantDirectory
  /** Resolves the env variable names tenant files give for webhook secrets. */
  secrets: SecretResolver
}

/** The ingest service as a fastify instance, without a port: tests call `inject()` on it. */
export async function buildApp(config: IngestConfig, deps: IngestDeps): Promise<FastifyInstance> {
  const publisher = new DurablePublisher(deps.nc, { timeoutMs: config.PUBLISH_TIMEOUT_MS })
  const app = await buildIngestServer(config, {
    logger: deps.logger,
    tenants: deps.tenants,
    secrets: deps.secrets,
    publisher,
    ledger: new PostgresReceivedMessageLedger(deps.db),
    readiness: {
      nats: () => pingNats(deps.nc),
      postgres: () => pingDatabase(deps.db),
    },
  })
  // After the last in-flight request was answered, before NATS is drained.
  app.addHook('onClose', async () => publisher.close())
  return app
}

/** What ingest needs from the outside world, as interfaces: JetStream, the ledger, readiness probes. */
export interface IngestEdges {
  logger: Logger
  tenants: TenantDirectory
  secrets: SecretResolver
  publisher: IntakePublisher
  ledger: ReceivedMessageLedger
  readiness: Record<string, ReadinessCheck>
}

/** buildApp over given edges: unit and fuzz tests pass in-memory ones. */
export async function buildIngestServer(config: IngestConfig, deps: IngestEdges): Promise<FastifyInstance> {
  const metrics = createIngestMetrics()
  const app = createServiceServer({
    service: 'ingest',
    logger: deps.logger,
    bodyLimit: config.MAX_BODY_BYTES,
    trustProxy: config.TRUST_PROXY,
    registry: metrics.registry,
    readiness: deps.readiness,
  })

  const credentials = new WebhookCredentials(deps.tenants, deps.secrets)
  for (const { tenant, channel, variable } of credentials.missing) {
    // Such a tenant's webhooks are refused until the variable is set; providers keep retrying.
    deps.logger.error({ tenant, channel, variable }, 'webhook secret not configured: webhooks for this number cannot be verified')
  }
  const intake = new InboundIntake({
    publisher: deps.publisher,
    ledger: deps.ledger,
    logger: deps.logger,
    metrics,
    publishTimeoutMs: config.PUBLISH_TIMEOUT_MS,
  })

  // Ledger writes still in flight finish before the connections they use are closed.
  app.addHook('onClose', async () => intake.idle())

  app.addHook('onResponse', async (request, reply) => {
    const door = request.routeOptions.config?.door
    if (!door) return
    const status = reply.statusCode
    const outcome = status < 300 ? 'accepted' : status === 401 || status === 403 ? 'refused' : status === 429 ? 'limited' : status >= 500 ? 'unavailable' : 'invalid'
    metrics.requests.inc({ door, outcome })
  })

  // Webhooks: signatures are computed over the bytes as received, so bodies stay raw Buffers
  // here and each route parses them itself, after verifying.
  await app.register(async (webhooks) => {
    webhooks.removeAllContentTypeParsers()
    webhooks.addContentTypeParser(['application/json', 'application/x-www-form-urlencoded'], { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body)
    })
    await webhooks.register(whatsAppWebhookRoutes, {
      tenants: deps.tenants,
      credentials,
      intake,
      verifyToken: config.WHATSAPP_VERIFY_TOKEN,
    })
    await webhooks.register(smsWebhookRoutes, { tenants: deps.tenants, credentials, intake, publicBaseUrl: config.PUBLIC_BASE_URL })
  })

  await app.register(signupFormRoutes, {
    tenants: deps.tenants,
    intake,
    operators: new PaperFormOperators(config.PAPER_FORM_TOKENS),
    limits: {
      perIp: config.SIGNUP_LIMIT_PER_IP,
      ipWindowSeconds: config.SIGNUP_IP_WINDOW_SECONDS,
      perNumber: config.SIGNUP_LIMIT_PER_NUMBER,
      numberWindowSeconds: config.SIGNUP_NUMBER_WINDOW_SECONDS,
    },
  })
  return app
}
