import { createSafetyPollCounter } from './emergency/safety-poll.client.js'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import { createServiceServer, oidcVerificationOf, pingDatabase, pingNats, type Logger, type TenantDirectory } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { createApiTokenMirror } from './auth/api-token-mirror.js'
import { createBroadcastAuthenticator, registerStaffAuth } from './auth/staff-auth.js'
import type { BroadcastDatabase } from './broadcast-database.js'
import { createBroadcastLifecycle } from './broadcast-lifecycle.js'
import type { BroadcastWorkflows } from './broadcast-workflow.client.js'
import type { BroadcastConfig } from './config.js'
import type { OutboundChecker } from './outbound-check.client.js'
import { createEmergencyLifecycle } from './emergency/emergency-lifecycle.js'
import type { EmergencyWorkflows } from './emergency/emergency-workflow.client.js'
import { registerBroadcastRoutes } from './routes/broadcast.routes.js'
import { registerEmergencyRoutes } from './routes/emergency.routes.js'
import { registerTokenRoutes } from './routes/token.routes.js'
import { createAudienceCounter } from './audience/audience-count.client.js'
import { registerBroadcastReviewRoutes } from './routes/broadcast-review.routes.js'
import { registerEmergencyTemplateRoutes } from './routes/emergency-template.routes.js'
import { registerOverviewRoutes } from './routes/overview.routes.js'
import { createWorkerProgress } from './worker-progress.client.js'
import { createBroadcastPlanner } from './planning/broadcast-plan.js'
import { createTenantCalendar } from './planning/tenant-calendar.js'
import { registerElectoralPeriodRoutes } from './routes/electoral-period.routes.js'
import type { BulletinWatcher } from './bulletin/bulletin-watcher.js'
import { registerBulletinRoutes } from './routes/bulletin.routes.js'
import { createRecurringLifecycle } from './recurring/recurring-lifecycle.js'
import type { RecurringSchedules } from './recurring/recurring-schedule.client.js'
import { registerRecurringBroadcasts } from './recurring/recurring.routes.js'
import type { TemplateRegistry } from './templates/template-registry.js'
import { registerWhatsAppTemplateRoutes } from './routes/whatsapp-template.routes.js'

export interface BroadcastDeps {
  logger: Logger
  nc: NatsConnection
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  workflows: BroadcastWorkflows
  emergencies: EmergencyWorkflows
  checker: OutboundChecker
  /** The Temporal Schedules of recurring broadcasts. */
  schedules: RecurringSchedules
  /** Readiness of the Temporal connection. */
  temporalReady: () => Promise<void>
  /** The DPC criticality bulletin job: its readings and a check on demand at /v1/bulletins. */
  bulletins?: BulletinWatcher
  /** The WhatsApp template registry (its sync job runs in the service): drafts, approvals and sends are checked against it. */
  templates?: TemplateRegistry
}

/** The staff API as a fastify instance, without a port: tests call `inject()` on it. */
export async function buildApp(config: BroadcastConfig, deps: BroadcastDeps): Promise<FastifyInstance> {
  const app = createServiceServer({
    service: 'broadcast',
    logger: deps.logger,
    readiness: {
      nats: () => pingNats(deps.nc),
      postgres: () => pingDatabase(deps.db),
      temporal: deps.temporalReady,
    },
  })
  app.setValidatorCompiler(TypeBoxValidatorCompiler)
  // A POST without a body (curl -X POST, a CMS's bare call) to a route whose body has no required
  // field means the empty object: approve, send now, take charge of an alert yourself.
  app.addHook('preValidation', async (request) => {
    const body = request.routeOptions.schema?.body as { type?: unknown; required?: unknown[] } | undefined
    if (request.body === undefined && body?.type === 'object' && !body.required?.length) request.body = {}
  })
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Banditore staff API',
        version: '1',
        description:
          'Broadcasts to subscribed citizens: operators draft, approvers approve (four eyes), staff send now or at a time, ' +
          'pause, resume, cancel and watch progress. Civil protection triggers emergency alerts (by hand or from CAP 1.2), ' +
          'which reach every subscriber at once, fall back to SMS and escalate to officials until one acknowledges. Admins manage API tokens.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (bnd_...)' } } },
      tags: [{ name: 'broadcasts' }, { name: 'recurring broadcasts' }, { name: 'progress' }, { name: 'emergencies' }, { name: 'electoral periods' }, { name: 'tokens' }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  // People (OpenID Connect access tokens) and API tokens alike; tokens are mirrored for the other services.
  registerStaffAuth(app, createBroadcastAuthenticator(deps.db, oidcVerificationOf(config)))
  // The worker owns runs, send ledgers and emergency timelines: asked over NATS, never read here.
  const worker = createWorkerProgress({ nc: deps.nc, timeoutMs: 5000 })
  const calendar = createTenantCalendar({ db: deps.db, logger: deps.logger, quietHoursDefault: config.QUIET_HOURS_DEFAULT })
  const lifecycle = createBroadcastLifecycle({
    db: deps.db,
    tenants: deps.tenants,
    checker: deps.checker,
    workflows: deps.workflows,
    worker,
    logger: deps.logger,
    calendar,
    ...(deps.templates ? { templates: deps.templates } : {}),
  })
  registerTokenRoutes(app, { db: deps.db, tenants: deps.tenants, mirror: createApiTokenMirror({ db: deps.db, nc: deps.nc, logger: deps.logger, replicas: config.NATS_STREAM_REPLICAS }) })
  registerBroadcastRoutes(app, { db: deps.db, lifecycle, worker })
  registerEmergencyRoutes(app, {
    lifecycle: createEmergencyLifecycle({
      db: deps.db,
      tenants: deps.tenants,
      workflows: deps.emergencies,
      worker,
      logger: deps.logger,
      calendar,
      polls: createSafetyPollCounter({ nc: deps.nc, timeoutMs: 3000, logger: deps.logger }),
      pollCheckSeconds: config.SAFETY_POLL_CHECK_SECONDS,
    }),
  })
  // The console's reads: dashboard, dry run, rejection, emergency list and templates.
  const audience = createAudienceCounter({ nc: deps.nc, timeoutMs: 5000 })
  const planner = createBroadcastPlanner({ db: deps.db, audience, worker, calendar, ...(deps.templates ? { templates: deps.templates } : {}) })
  registerBroadcastReviewRoutes(app, { lifecycle, tenants: deps.tenants, checker: deps.checker, audience, planner, ...(deps.templates ? { registry: deps.templates } : {}) })
  if (deps.templates) registerWhatsAppTemplateRoutes(app, { tenants: deps.tenants, registry: deps.templates })
  registerElectoralPeriodRoutes(app, { tenants: deps.tenants, calendar })
  registerOverviewRoutes(app, { db: deps.db, tenants: deps.tenants, audience, worker, logger: deps.logger })
  registerEmergencyTemplateRoutes(app, { db: deps.db, tenants: deps.tenants })
  if (deps.bulletins) registerBulletinRoutes(app, { db: deps.db, tenants: deps.tenants, watcher: deps.bulletins })
  registerRecurringBroadcasts(app, {
    lifecycle: createRecurringLifecycle({
      db: deps.db,
      tenants: deps.tenants,
      checker: deps.checker,
      schedules: deps.schedules,
      calendar,
      logger: deps.logger,
      ...(deps.templates ? { templates: deps.templates } : {}),
    }),
    tenants: deps.tenants,
    nc: deps.nc,
    logger: deps.logger,
  })
  return app
}
