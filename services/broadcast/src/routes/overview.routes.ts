import { OverviewSchema, TenantIdSchema, type Overview } from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import type { AudienceCounter } from '../audience/audience-count.client.js'
import { requireRole } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { toView } from '../broadcast-lifecycle.js'
import { countDrafts, listEmergencies, summaryOf } from '../repositories/console-overview.repository.js'
import { listBroadcasts } from '../repositories/broadcast.repository.js'
import type { WorkerProgress } from '../worker-progress.client.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 422: ProblemSchema }
const READERS = ['operator', 'approver', 'admin', 'civil-protection'] as const

/** The dashboard: subscribers (from the subscriptions service), recent broadcasts, open emergencies. */
export function registerOverviewRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; tenants: TenantDirectory; audience: AudienceCounter; worker: WorkerProgress; logger: Logger }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, tenants, audience, logger } = deps

  api.get('/v1/overview', {
    schema: {
      tags: ['broadcasts'],
      summary: "A tenant's dashboard: subscribers by channel, topic and language; recent broadcasts; open emergencies",
      description: 'Subscriber counts come from the subscriptions service; when it does not answer they are null and the rest is still given.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      response: { 200: OverviewSchema, ...problems },
    },
  }, async (request): Promise<Overview> => {
    const tenant = tenantForRead(tenants, requireRole(request, READERS), request.query.tenant)
    const subscribers = async (): Promise<Overview['subscribers']> => {
      try {
        // Every topic at once: the total is everyone an always-on topic reaches (or, without one,
        // anyone with a topic), and each topic is counted beside it, in one request.
        const counted = await audience.countByTopic(tenant.id, tenant.topics.map((t) => t.id))
        // In the tenant's order of topics, as the dashboard lists them.
        return { ...counted, byTopic: Object.fromEntries(tenant.topics.map((t) => [t.id, counted.byTopic[t.id] ?? 0])) }
      } catch (error) {
        logger.warn({ tenant: tenant.id, err: error }, 'subscriber counts unavailable for the overview')
        return null
      }
    }
    const [counts, recent, awaitingApproval, open] = await Promise.all([
      subscribers(),
      listBroadcasts(db, deps.worker, { tenant: tenant.id, limit: 5 }),
      countDrafts(db, tenant.id),
      listEmergencies(db, tenant.id, { limit: 20, open: true }),
    ])
    return {
      tenant: tenant.id,
      subscribers: counts,
      broadcasts: { recent: recent.map(toView), awaitingApproval },
      emergencies: { open: open.filter((e) => e.status === 'active').map((e) => summaryOf(e, tenant.languages[0] as string)) },
    }
  })
}
