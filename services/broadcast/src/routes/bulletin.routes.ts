import { BulletinCheckViewSchema, BulletinReadingListSchema, TenantIdSchema } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import type { BulletinWatcher } from '../bulletin/bulletin-watcher.js'
import { lastCheck, listReadings } from '../repositories/bulletin.repository.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 503: ProblemSchema }
/** Who reads the bulletin and asks for a check: as for emergencies. */
const ROLES = ['civil-protection', 'admin'] as const

/** The bulletin could not be read (unreachable, 404, malformed): the check is recorded, nothing else changed. */
class BulletinUnavailableError extends Error {
  readonly code = 'BULLETIN_UNAVAILABLE'
  readonly statusCode = 503
  constructor(message: string) {
    super(message)
    this.name = 'BulletinUnavailableError'
  }
}

export function registerBulletinRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; tenants: TenantDirectory; watcher: BulletinWatcher }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, tenants, watcher } = deps

  api.get('/v1/bulletins', {
    schema: {
      tags: ['emergencies'],
      summary: "The DPC criticality bulletin's readings of the tenant's alert zone (civil protection, admins)",
      description:
        "Newest bulletin and day first: zone, colour (green, yellow, orange, red), the bulletin's words, and the emergency draft an orange or red reading made (once per zone, day and colour). " +
        '`lastCheck`: the last read of the bulletin, with the reason when it failed.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 30 })) }),
      response: { 200: BulletinReadingListSchema, ...problems },
    },
  }, async (request) => {
    const tenant = tenantForRead(tenants, requireRole(request, ROLES), request.query.tenant)
    const check = await lastCheck(db)
    return {
      readings: await listReadings(db, tenant.id, request.query.limit ?? 30),
      lastCheck: check && { ...check, drafts: check.drafts.filter((d) => d.tenant === tenant.id) },
    }
  })

  api.post('/v1/bulletins/check', {
    schema: {
      tags: ['emergencies'],
      summary: 'Read the DPC criticality bulletin now (civil protection, admins)',
      description:
        'Reads the index and the bulletins it points at (today, tomorrow) for every tenant that names its alert zone, as the periodic job does. ' +
        'An orange or red zone becomes an emergency draft, never sent without a person; the staff on duty are told. ' +
        'A bulletin that cannot be read answers 503 with the reason (also kept as `lastCheck`).',
      security,
      body: Type.Object({}, { additionalProperties: false }),
      response: { 200: BulletinCheckViewSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ROLES)
    const check = await watcher.check()
    if (!check.ok) throw new BulletinUnavailableError(`bollettino non letto del tutto: ${check.error ?? 'motivo sconosciuto'}`)
    return { ...check, drafts: staff.tenant === null ? check.drafts : check.drafts.filter((d) => d.tenant === staff.tenant) }
  })
}
