import {
  ApproveBodySchema,
  AuditEntrySchema,
  BROADCAST_RESPONDERS,
  BroadcastDraftBodySchema,
  OccurrenceViewSchema,
  RecurringBroadcastBodySchema,
  RecurringBroadcastViewSchema,
  Requests,
  TenantIdSchema,
  type RecurringOccurrenceReply,
} from '@banditore/contracts'
import type { Logger, TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { NatsConnection } from '@nats-io/transport-node'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import { ProblemSchema } from '../routes/problem.schema.js'
import { tenantForRead } from '../routes/staff-tenant.js'
import type { RecurringLifecycle } from './recurring-lifecycle.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
/** An occurrence is named by its time (ISO 8601, as the occurrence list gives it). */
const ByOccurrence = Type.Object({ id: Type.String({ format: 'uuid' }), at: Type.String({ format: 'date-time' }) })
const ANYONE = ['operator', 'approver', 'admin'] as const
const STEERS = ['operator', 'approver'] as const
const tags = ['recurring broadcasts']

/**
 * The staff API of recurring broadcasts, and the answer to the worker when an occurrence is due
 * (NATS request/reply `Requests.recurringOccurrence`, queue group `broadcast`: any instance answers).
 */
export function registerRecurringBroadcasts(app: FastifyInstance, deps: { lifecycle: RecurringLifecycle; tenants: TenantDirectory; nc: NatsConnection; logger: Logger }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { lifecycle } = deps

  api.post('/v1/recurring-broadcasts', {
    schema: {
      tags,
      summary: 'Create a recurring broadcast (operators)',
      description:
        'A broadcast draft and its recurrence in the tenant\'s local time: `{ every: "week", weekdays, at, from, until }`, `{ every: "month", day (1-28), at, from, until }` or `{ dates: ["YYYY-MM-DDTHH:MM", ...] }`. One approval covers the whole series.',
      security,
      body: RecurringBroadcastBodySchema,
      response: { 201: RecurringBroadcastViewSchema, ...problems },
    },
  }, async (request, reply) => reply.status(201).send(await lifecycle.create(requireRole(request, ['operator']), request.body)))

  api.get('/v1/recurring-broadcasts', {
    schema: {
      tags,
      summary: "List a tenant's recurring broadcasts, newest first",
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }),
      response: { 200: Type.Object({ series: Type.Array(RecurringBroadcastViewSchema) }), ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ANYONE)
    return { series: await lifecycle.list(tenantForRead(deps.tenants, staff, request.query.tenant), request.query.limit ?? 50) }
  })

  api.get('/v1/recurring-broadcasts/:id', {
    schema: { tags, summary: 'One recurring broadcast', security, params: ById, response: { 200: RecurringBroadcastViewSchema, ...problems } },
  }, async (request) => await lifecycle.load(requireRole(request, ANYONE), request.params.id))

  api.post('/v1/recurring-broadcasts/:id/approve', {
    schema: {
      tags,
      summary: 'Approve the series (approvers; four eyes): its schedule starts',
      security,
      params: ById,
      body: Type.Optional(ApproveBodySchema),
      response: { 200: RecurringBroadcastViewSchema, ...problems, 503: ProblemSchema },
    },
  }, async (request) => await lifecycle.approve(requireRole(request, ['approver']), request.params.id, request.body ?? {}))

  api.post('/v1/recurring-broadcasts/:id/cancel', {
    schema: { tags, summary: 'Cancel the series: no further occurrence is sent', security, params: ById, response: { 200: RecurringBroadcastViewSchema, ...problems, 503: ProblemSchema } },
  }, async (request) => await lifecycle.cancel(requireRole(request, STEERS), request.params.id))

  api.get('/v1/recurring-broadcasts/:id/occurrences', {
    schema: {
      tags,
      summary: 'Occurrences: those already handled, then the upcoming ones',
      security,
      params: ById,
      querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 400, default: 20 })) }),
      response: { 200: Type.Object({ occurrences: Type.Array(OccurrenceViewSchema) }), ...problems },
    },
  }, async (request) => ({ occurrences: await lifecycle.occurrences(requireRole(request, ANYONE), request.params.id, request.query.limit ?? 20) }))

  api.post('/v1/recurring-broadcasts/:id/occurrences/:at/skip', {
    schema: {
      tags,
      summary: 'Skip one occurrence',
      security,
      params: ByOccurrence,
      body: Type.Optional(Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false })),
      response: { 200: OccurrenceViewSchema, ...problems },
    },
  }, async (request) => await lifecycle.skip(requireRole(request, STEERS), request.params.id, new Date(request.params.at), request.body?.reason))

  api.put('/v1/recurring-broadcasts/:id/occurrences/:at', {
    schema: {
      tags,
      summary: "Replace one occurrence's text (operators); an approver must approve it",
      description: 'The outbound check runs on the new text; it is sent only once an approver other than its editor approves it.',
      security,
      params: ByOccurrence,
      body: BroadcastDraftBodySchema,
      response: { 200: OccurrenceViewSchema, ...problems },
    },
  }, async (request) => await lifecycle.edit(requireRole(request, ['operator']), request.params.id, new Date(request.params.at), request.body))

  api.post('/v1/recurring-broadcasts/:id/occurrences/:at/approve', {
    schema: { tags, summary: "Approve one occurrence's edited text (approvers; four eyes)", security, params: ByOccurrence, body: Type.Optional(ApproveBodySchema), response: { 200: OccurrenceViewSchema, ...problems } },
  }, async (request) => await lifecycle.approveEdit(requireRole(request, ['approver']), request.params.id, new Date(request.params.at), request.body ?? {}))

  api.get('/v1/recurring-broadcasts/:id/audit', {
    schema: { tags, summary: 'Who created, approved, skipped, edited or cancelled it, and each occurrence sent', security, params: ById, response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema) }), ...problems } },
  }, async (request) => ({ entries: await lifecycle.audit(requireRole(request, ANYONE), request.params.id) }))

  // The worker's question when an occurrence is due. A request outside its contract, or one this
  // instance cannot answer now, is `ok: false`: the worker's activity retries.
  const { subject, request: requestContract, reply: replyContract } = Requests.recurringOccurrence
  const responder = deps.nc.subscribe(subject, {
    queue: BROADCAST_RESPONDERS,
    callback: (error, msg) => {
      if (error) return deps.logger.warn({ err: error, subject }, 'recurring occurrence subscription failed')
      const answer = async (): Promise<RecurringOccurrenceReply> => {
        try {
          return await lifecycle.materialize(requestContract.decode(msg.data))
        } catch (cause) {
          deps.logger.warn({ err: cause }, 'recurring occurrence not answered')
          return { version: 1, ok: false, error: { code: 'UNAVAILABLE', message: cause instanceof Error ? cause.message : String(cause) } }
        }
      }
      void answer().then((reply) => msg.respond(replyContract.encode(reply)))
    },
  })
  app.addHook('onClose', async () => {
    await responder.drain()
  })
}
