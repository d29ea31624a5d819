import { TemplateRegistryViewSchema, TemplateSyncResultSchema, TenantIdSchema } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import type { TemplateRegistry } from '../templates/template-registry.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema }
/** Who reads the registry: whoever composes or approves a broadcast. */
const READERS = ['operator', 'approver', 'admin'] as const

/** The WhatsApp template registry: what Meta holds for the tenant's business account, and a sync on demand. */
export function registerWhatsAppTemplateRoutes(app: FastifyInstance, deps: { tenants: TenantDirectory; registry: TemplateRegistry }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { tenants, registry } = deps

  api.get('/v1/whatsapp-templates', {
    schema: {
      tags: ['broadcasts'],
      summary: "The tenant's WhatsApp templates as Meta holds them: status, category, quality rating",
      description:
        "The last snapshot read from the business account (`GET /{waba-id}/message_templates`), one entry per translation; `configured`: offered by the tenant file. " +
        '`sync` says when it was last read and why the last read failed, if it did (the snapshot is kept). A draft may only use an APPROVED template whose parameters it fills.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      response: { 200: TemplateRegistryViewSchema, ...problems },
    },
  }, async (request) => registry.view(tenantForRead(tenants, requireRole(request, READERS), request.query.tenant)))

  api.post('/v1/whatsapp-templates/sync', {
    schema: {
      tags: ['broadcasts'],
      summary: "Read the WhatsApp templates from Meta now (admins)",
      description:
        "As the periodic job does: the caller's tenant (a platform admin: every tenant, or the one named). " +
        'A failed read is reported per tenant (`ok: false`, `error`) and keeps the last snapshot.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: TemplateSyncResultSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ['admin'])
    // A tenant's admin syncs its own tenant and naming another is refused (422 on /tenant), as
    // every route does; a platform admin syncs every tenant, or the one named.
    const only = staff.tenant !== null || request.query.tenant !== undefined ? tenantForRead(tenants, staff, request.query.tenant).id : undefined
    return { results: await registry.sync(only) }
  })
}
