import { randomUUID } from 'node:crypto'
import {
  ApiTokenSchema,
  CreateApiTokenBodySchema,
  CreatedApiTokenSchema,
  StaffMeSchema,
  TenantIdSchema,
  type StaffMe,
} from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import type { ApiTokenMirror } from '../auth/api-token-mirror.js'
import { actingTenantOf, generateToken, hashToken, requireRole, type StaffPrincipal } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { ForbiddenError, TokenNotFoundError, UnauthenticatedError, UnknownTenantError, WorkflowUnavailableError } from '../broadcast-errors.js'
import { findToken, insertToken, listTokens, revokeToken, toApiToken } from '../repositories/api-token.repository.js'
import { ProblemSchema } from './problem.schema.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema }

/** A tenant admin manages its own tenant's tokens; a platform admin, every tenant's. */
function scopeFor(staff: StaffPrincipal, tenant: string | null): void {
  if (staff.tenant !== null && staff.tenant !== tenant) throw new ForbiddenError(`il token gestisce solo il comune ${staff.tenant}`)
}

/**
 * API tokens, for automation: admins create and revoke them here; each live one is mirrored into
 * the `staff-api-tokens` KV bucket so every service accepts it (`mirror`).
 */
export function registerTokenRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; tenants: TenantDirectory; mirror?: ApiTokenMirror }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, tenants, mirror } = deps
  if (mirror) {
    app.addHook('onReady', async () => await mirror.start())
    app.addHook('onClose', async () => mirror.stop())
  }

  api.get('/v1/me', {
    schema: {
      tags: ['tokens'],
      summary: 'The caller: a person signed in, or an API token',
      description: 'Subject, name, grants, the actor the audit records, the tenant the request acts for (X-Banditore-Tenant).',
      security,
      response: { 200: StaffMeSchema, 401: ProblemSchema, 403: ProblemSchema },
    },
  }, async (request): Promise<StaffMe> => {
    const identity = request.staff
    if (!identity) throw new UnauthenticatedError('serve un accesso valido (Authorization: Bearer <token>)')
    let tenant: string | null
    try {
      tenant = actingTenantOf(request, identity)
    } catch (error) {
      // Several tenants and none named: the grants say which.
      if (request.headers['x-banditore-tenant'] !== undefined) throw error
      tenant = null
    }
    const principal = {
      subject: identity.subject,
      name: identity.name,
      ...(identity.email ? { email: identity.email } : {}),
      via: identity.via,
      grants: [...identity.grants],
      actor: identity.actor,
      holder: identity.holder,
      tenant,
    }
    if (!identity.tokenId) return principal
    const row = await findToken(db, identity.tokenId)
    if (!row) throw new UnauthenticatedError('il token è stato rimosso')
    const { id, role, label, createdAt, revokedAt } = toApiToken(row)
    return { ...principal, id, role, label, createdAt, revokedAt }
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
    if (tenant === null && body.role !== 'admin') throw new ForbiddenError('solo i token da amministratore valgono per tutti i comuni: indicare `tenant`')
    if (tenant !== null && !tenants.get(tenant)) throw new UnknownTenantError(tenant)
    scopeFor(staff, tenant)
    const secret = generateToken()
    const row = await insertToken(db, { id: randomUUID(), tenant, role: body.role, holder: body.holder, label: body.label, tokenHash: hashToken(secret), createdBy: staff.tokenId })
    request.log.info({ tokenId: row.id, tenant, role: row.role, by: staff.tokenId }, 'api token created')
    // The token works here at once; elsewhere once mirrored (the periodic reconcile repairs a miss).
    await mirror?.publish(row).catch((error: unknown) => request.log.error({ err: error, tokenId: row.id }, 'api token not mirrored; the next reconcile publishes it'))
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
    // Revoked here already; other services must stop accepting it too, so a failed withdrawal is
    // an error the admin retries (revoking again is harmless).
    if (mirror) {
      await mirror.withdraw(row).catch((error: unknown) => {
        throw new WorkflowUnavailableError('revoca registrata, ma non ancora propagata agli altri servizi: riprovare', { cause: error })
      })
    }
    return toApiToken(row)
  })
}
