import { randomUUID } from 'node:crypto'
import {
  ApiTokenSchema,
  CreateApiTokenBodySchema,
  CreatedApiTokenSchema,
  TenantIdSchema,
  type ApiToken,
} from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import { generateToken, hashToken, requireRole, type StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { ForbiddenError, TokenNotFoundError, UnauthenticatedError, UnknownTenantError } from '../broadcast-errors.js'
import { findToken, insertToken, listTokens, revokeToken, toApiToken } from '../store/api-token.repository.js'
import { ProblemSchema } from './problem.schema.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema }

/** A tenant admin manages its own tenant's tokens; a platform admin, every tenant's. */
function scopeFor(staff: StaffPrincipal, tenant: string | null): void {
  if (staff.tenant !== null && staff.tenant !== tenant) throw new ForbiddenError(`il token gestisce solo il comune ${staff.tenant}`)
}

export function registerTokenRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; tenants: TenantDirectory }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, tenants } = deps

  api.get('/v1/me', {
    schema: { tags: ['tokens'], summary: 'The calling token', security, response: { 200: ApiTokenSchema, 401: ProblemSchema } },
  }, async (request): Promise<ApiToken> => {
    if (!request.staff) throw new UnauthenticatedError('serve un token API valido (Authorization: Bearer <token>)')
    const row = await findToken(db, request.staff.tokenId)
    if (!row) throw new UnauthenticatedError('il token è stato rimosso')
    return toApiToken(row)
  })

  api.post('/v1/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'Create an API token (admins)',
      description: 'The secret is in the answer only: store it, it cannot be shown again.',
      security,
      body: CreateApiTokenBodySchema,
      response: { 201: CreatedApiTokenSchema, ...problems, 422: ProblemSchema },
    },
  }, async (request, reply) => {
    const staff = requireRole(request, ['admin'])
    const body = request.body
    const tenant = body.tenant ?? staff.tenant
    if (tenant === null && body.role !== 'admin') throw new ForbiddenError('i token da operatore e approvatore valgono per un comune: indicare `tenant`')
    if (tenant !== null && !tenants.get(tenant)) throw new UnknownTenantError(tenant)
    scopeFor(staff, tenant)
    const secret = generateToken()
    const row = await insertToken(db, { id: randomUUID(), tenant, role: body.role, holder: body.holder, label: body.label, tokenHash: hashToken(secret), createdBy: staff.tokenId })
    request.log.info({ tokenId: row.id, tenant, role: row.role, by: staff.tokenId }, 'api token created')
    return reply.status(201).send({ ...toApiToken(row), token: secret })
  })

  api.get('/v1/tokens', {
    schema: {
      tags: ['tokens'],
      summary: 'List API tokens (admins)',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      response: { 200: Type.Object({ tokens: Type.Array(ApiTokenSchema) }), ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ['admin'])
    const tenant = staff.tenant ?? request.query.tenant
    if (staff.tenant !== null && request.query.tenant !== undefined) scopeFor(staff, request.query.tenant)
    return { tokens: (await listTokens(db, tenant)).map(toApiToken) }
  })

  api.delete('/v1/tokens/:id', {
    schema: {
      tags: ['tokens'],
      summary: 'Revoke an API token (admins)',
      security,
      params: Type.Object({ id: Type.String({ format: 'uuid' }) }),
      response: { 200: ApiTokenSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ['admin'])
    const existing = await findToken(db, request.params.id)
    if (!existing || (staff.tenant !== null && existing.tenant !== staff.tenant)) throw new TokenNotFoundError(request.params.id)
    const row = await revokeToken(db, request.params.id)
    if (!row) throw new TokenNotFoundError(request.params.id)
    request.log.info({ tokenId: row.id, by: staff.tokenId }, 'api token revoked')
    return toApiToken(row)
  })
}
