import { AlertTemplateListSchema, EmergencyListSchema, TenantIdSchema } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { listEmergencies, summaryOf } from '../repositories/console-overview.repository.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 422: ProblemSchema }
const READERS = ['operator', 'approver', 'admin', 'civil-protection'] as const
const SENDERS = ['civil-protection', 'admin'] as const

/** The emergency list and the tenant's ready-made alerts. */
export function registerEmergencyTemplateRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; tenants: TenantDirectory }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, tenants } = deps

  api.get('/v1/emergencies', {
    schema: {
      tags: ['emergencies'],
      summary: "A tenant's emergency alerts, updates and all-clears, newest first",
      security,
      querystring: Type.Object({
        tenant: Type.Optional(TenantIdSchema),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        /** Only drafts and running alerts. */
        open: Type.Optional(Type.Boolean()),
      }),
      response: { 200: EmergencyListSchema, ...problems },
    },
  }, async (request) => {
    const tenant = tenantForRead(tenants, requireRole(request, READERS), request.query.tenant)
    const rows = await listEmergencies(db, tenant.id, { limit: request.query.limit ?? 50, ...(request.query.open ? { open: true } : {}) })
    return { emergencies: rows.map((row) => summaryOf(row, tenant.languages[0] as string)) }
  })

  api.get('/v1/emergency-templates', {
    schema: {
      tags: ['emergencies'],
      summary: "The tenant's ready-made alerts (tenant file, emergency.alertTemplates)",
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      response: { 200: AlertTemplateListSchema, ...problems },
    },
  }, async (request) => {
    const tenant = tenantForRead(tenants, requireRole(request, SENDERS), request.query.tenant)
    return { languages: tenant.languages, templates: tenant.emergency?.alertTemplates ?? [] }
  })
}
