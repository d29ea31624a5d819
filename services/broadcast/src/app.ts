import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox'
import { createServiceServer, pingDatabase, pingNats, type Logger, type TenantDirectory } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { registerStaffAuth } from './auth/staff-auth.js'
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

export interface BroadcastDeps {
  logger: Logger
  nc: NatsConnection
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  workflows: BroadcastWorkflows
  emergencies: EmergencyWorkflows
  checker: OutboundChecker
  /** Readiness of the Temporal connection. */
  temporalReady: () => Promise<void>
}

/** The staff API as a fastify instance, without a port: tests call `inject()` on it. */
export async function buildApp(_config: BroadcastConfig, deps: BroadcastDeps): Promise<FastifyInstance> {
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
      tags: [{ name: 'broadcasts' }, { name: 'progress' }, { name: 'emergencies' }, { name: 'tokens' }],
    },
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })

  registerStaffAuth(app, deps.db)
  const lifecycle = createBroadcastLifecycle({ db: deps.db, tenants: deps.tenants, checker: deps.checker, workflows: deps.workflows, logger: deps.logger })
  registerTokenRoutes(app, { db: deps.db, tenants: deps.tenants })
  registerBroadcastRoutes(app, { db: deps.db, lifecycle })
  registerEmergencyRoutes(app, {
    lifecycle: createEmergencyLifecycle({ db: deps.db, tenants: deps.tenants, workflows: deps.emergencies, logger: deps.logger }),
  })
  return app
}
