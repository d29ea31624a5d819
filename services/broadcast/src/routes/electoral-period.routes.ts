import {
  ElectoralPeriodBodySchema,
  ElectoralPeriodListSchema,
  ElectoralPeriodSchema,
  QuietHoursBodySchema,
  QuietHoursSchema,
  TenantIdSchema,
} from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import type { TenantCalendar } from '../planning/tenant-calendar.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
const ForTenant = Type.Object({ tenant: Type.Optional(TenantIdSchema) })
/** Everyone who writes, approves or sends to citizens reads the calendar; admins and approvers set periods. */
const READERS = ['operator', 'approver', 'civil-protection', 'admin'] as const
const PERIOD_EDITORS = ['admin', 'approver'] as const

/** The tenant's electoral periods (Legge 28/2000, art. 9) and quiet hours. */
export function registerElectoralPeriodRoutes(app: FastifyInstance, deps: { tenants: TenantDirectory; calendar: TenantCalendar }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { tenants, calendar } = deps

  api.get('/v1/electoral-periods', {
    schema: {
      tags: ['electoral periods'],
      summary: "The tenant's electoral periods, and the one in force now",
      description:
        'From the calling of an election until the polls close a public administration may only carry out communication that is impersonal and ' +
        'indispensable to its functions (Legge 28/2000, art. 9): while a period is in force, approving a broadcast needs a statement saying why, and ' +
        'content the outbound policy flags as political is refused. Emergencies are exempt.',
      security,
      querystring: ForTenant,
      response: { 200: ElectoralPeriodListSchema, ...problems },
    },
  }, async (request) => await calendar.list(tenantForRead(tenants, requireRole(request, READERS), request.query.tenant)))

  api.post('/v1/electoral-periods', {
    schema: {
      tags: ['electoral periods'],
      summary: 'Add an electoral period (admins, approvers); times are local to the tenant (Europe/Rome)',
      security,
      querystring: ForTenant,
      body: ElectoralPeriodBodySchema,
      response: { 201: ElectoralPeriodSchema, ...problems },
    },
  }, async (request, reply) => {
    const staff = requireRole(request, PERIOD_EDITORS)
    const period = await calendar.create(staff, tenantForRead(tenants, staff, request.query.tenant), request.body)
    return await reply.code(201).send(period)
  })

  api.put('/v1/electoral-periods/:id', {
    schema: {
      tags: ['electoral periods'],
      summary: 'Change an electoral period (admins, approvers)',
      security,
      params: ById,
      querystring: ForTenant,
      body: ElectoralPeriodBodySchema,
      response: { 200: ElectoralPeriodSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, PERIOD_EDITORS)
    return await calendar.update(staff, tenantForRead(tenants, staff, request.query.tenant), request.params.id, request.body)
  })

  api.delete('/v1/electoral-periods/:id', {
    schema: {
      tags: ['electoral periods'],
      summary: 'Remove an electoral period (admins, approvers)',
      security,
      params: ById,
      querystring: ForTenant,
      response: { 204: Type.Null(), ...problems },
    },
  }, async (request, reply) => {
    const staff = requireRole(request, PERIOD_EDITORS)
    await calendar.remove(staff, tenantForRead(tenants, staff, request.query.tenant), request.params.id)
    return await reply.code(204).send(null)
  })

  api.get('/v1/quiet-hours', {
    schema: {
      tags: ['electoral periods'],
      summary: "The tenant's quiet hours: no routine broadcast is sent inside them (21:00-08:00 by default)",
      security,
      querystring: ForTenant,
      response: { 200: QuietHoursSchema, ...problems },
    },
  }, async (request) => await calendar.quietHours(tenantForRead(tenants, requireRole(request, READERS), request.query.tenant)))

  api.put('/v1/quiet-hours', {
    schema: {
      tags: ['electoral periods'],
      summary: "Set the tenant's quiet hours (admins); broadcasts dispatched from now on follow them, emergencies never do",
      security,
      querystring: ForTenant,
      body: QuietHoursBodySchema,
      response: { 200: QuietHoursSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ['admin'])
    return await calendar.setQuietHours(staff, tenantForRead(tenants, staff, request.query.tenant), request.body)
  })
}
