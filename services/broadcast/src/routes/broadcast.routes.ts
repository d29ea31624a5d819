import {
  ApproveBodySchema,
  AuditEntrySchema,
  BroadcastDraftBodySchema,
  BroadcastProgressSchema,
  BroadcastViewSchema,
  SendBodySchema,
  TenantIdSchema,
} from '@banditore/contracts'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Readable } from 'node:stream'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { DraftInvalidError } from '../broadcast-errors.js'
import { toView, type BroadcastLifecycle } from '../broadcast-lifecycle.js'
import { listBroadcasts } from '../repositories/broadcast.repository.js'
import type { WorkerProgress } from '../worker-progress.client.js'
import { FAILURE_CSV_HEADERS, csvLine, failureCsvLine } from './failure-report.js'
import { ProblemSchema } from './problem.schema.js'
import { streamProgress } from './progress-stream.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
const ANYONE = ['operator', 'approver', 'admin'] as const
const STEERS = ['operator', 'approver'] as const
/**
 * The roles allowed to see recipients' phone numbers (the failures report): the tenant's
 * operators and approvers, who run its broadcasts, and admins. Not civil protection, the desk,
 * the privacy officer or policy editors.
 */
export const SEES_PHONE_NUMBERS = ['operator', 'approver', 'admin'] as const
const FAILURES_PAGE = 1000

export function registerBroadcastRoutes(app: FastifyInstance, deps: { db: Kysely<BroadcastDatabase>; lifecycle: BroadcastLifecycle; worker: WorkerProgress }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { db, lifecycle } = deps
  const streams = new Set<() => void>()
  app.addHook('onClose', async () => {
    for (const close of [...streams]) close()
  })

  api.post('/v1/broadcasts', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Draft a broadcast (operators)',
      description: 'The outbound policy check runs at once and is shown on the draft.',
      security,
      body: BroadcastDraftBodySchema,
      response: { 201: BroadcastViewSchema, ...problems, 422: ProblemSchema },
    },
  }, async (request, reply) => reply.status(201).send(await lifecycle.createDraft(requireRole(request, ['operator']), request.body)))

  api.get('/v1/broadcasts', {
    schema: {
      tags: ['broadcasts'],
      summary: "List a tenant's broadcasts, newest first",
      security,
      querystring: Type.Object({
        tenant: Type.Optional(TenantIdSchema),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
        /** The `next` of the previous page. */
        before: Type.Optional(Type.String()),
      }),
      response: { 200: Type.Object({ broadcasts: Type.Array(BroadcastViewSchema), next: Type.Optional(Type.String()) }), ...problems, 422: ProblemSchema },
    },
  }, async (request) => {
    const staff = requireRole(request, ANYONE)
    const tenant = staff.tenant ?? request.query.tenant
    if (!tenant) throw new DraftInvalidError('un token di piattaforma deve indicare il comune', '/tenant')
    if (staff.tenant !== null && request.query.tenant !== undefined && request.query.tenant !== staff.tenant) {
      throw new DraftInvalidError(`il token vale per il comune ${staff.tenant}`, '/tenant')
    }
    const limit = request.query.limit ?? 50
    let before: { createdAt: Date; id: string } | undefined
    if (request.query.before) {
      const [at, id] = Buffer.from(request.query.before, 'base64url').toString('utf8').split('|')
      if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/.test(id)) throw new DraftInvalidError('non è un cursore dato da questa API', '/before')
      before = { createdAt: new Date(at), id }
    }
    const rows = await listBroadcasts(db, deps.worker, { tenant, limit, ...(before ? { before } : {}) })
    const last = rows.at(-1)
    const next = rows.length === limit && last ? Buffer.from(`${last.created_at.toISOString()}|${last.id}`).toString('base64url') : undefined
    return { broadcasts: rows.map(toView), ...(next ? { next } : {}) }
  })

  api.get('/v1/broadcasts/:id', {
    schema: { tags: ['broadcasts'], summary: 'One broadcast', security, params: ById, response: { 200: BroadcastViewSchema, ...problems } },
  }, async (request) => toView(await lifecycle.load(requireRole(request, ANYONE), request.params.id)))

  api.put('/v1/broadcasts/:id', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Replace a draft (operators)',
      description: 'Only drafts can change; the outbound check runs again.',
      security,
      params: ById,
      body: BroadcastDraftBodySchema,
      response: { 200: BroadcastViewSchema, ...problems, 409: ProblemSchema, 422: ProblemSchema },
    },
  }, async (request) => await lifecycle.editDraft(requireRole(request, ['operator']), request.params.id, request.body))

  api.post('/v1/broadcasts/:id/approve', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Approve a draft (approvers; four eyes)',
      description: 'The approver must not be the author. A flagged or unchecked draft needs acknowledgeFindings: true.',
      security,
      params: ById,
      body: Type.Optional(ApproveBodySchema),
      response: { 200: BroadcastViewSchema, ...problems, 409: ProblemSchema },
    },
  }, async (request) => await lifecycle.approve(requireRole(request, ['approver']), request.params.id, request.body ?? {}))

  api.post('/v1/broadcasts/:id/send', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Send an approved broadcast now or at a time',
      security,
      params: ById,
      body: Type.Optional(SendBodySchema),
      response: { 202: BroadcastViewSchema, ...problems, 409: ProblemSchema, 503: ProblemSchema },
    },
  }, async (request, reply) => {
    const at = request.body?.at ? new Date(request.body.at) : undefined
    return reply.status(202).send(await lifecycle.send(requireRole(request, STEERS), request.params.id, at))
  })

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    api.post(`/v1/broadcasts/:id/${action}`, {
      schema: {
        tags: ['broadcasts'],
        summary: `${action[0]?.toUpperCase()}${action.slice(1)} a broadcast`,
        description: action === 'pause' ? 'Takes effect before the next batch.' : undefined,
        security,
        params: ById,
        response: { 202: BroadcastViewSchema, ...problems, 409: ProblemSchema, 503: ProblemSchema },
      },
    }, async (request, reply) => reply.status(202).send(await lifecycle.steer(requireRole(request, STEERS), request.params.id, action)))
  }

  api.get('/v1/broadcasts/:id/progress', {
    schema: {
      tags: ['progress'],
      summary: 'Progress: recipients by state, failures and skips by reason',
      security,
      params: ById,
      response: { 200: BroadcastProgressSchema, ...problems },
    },
  }, async (request) => await lifecycle.progress(requireRole(request, ANYONE), request.params.id))

  api.get('/v1/broadcasts/:id/progress/stream', {
    schema: {
      tags: ['progress'],
      summary: 'Live progress as server-sent events',
      description: 'A `progress` event each second (same body as /progress) until the broadcast ends.',
      security,
      params: ById,
      querystring: Type.Object({ intervalMs: Type.Optional(Type.Integer({ minimum: 200, maximum: 60_000, default: 1000 })) }),
    },
  }, async (request, reply) => {
    const staff = requireRole(request, ANYONE)
    await lifecycle.load(staff, request.params.id)
    streamProgress(request, reply, () => lifecycle.progress(staff, request.params.id), request.query.intervalMs ?? 1000, streams)
  })

  api.get('/v1/broadcasts/:id/failures.csv', {
    schema: {
      tags: ['progress'],
      summary: 'The failed sends as CSV (operators, approvers, admins: it holds phone numbers)',
      description:
        'One line per failed recipient: number, channel, reason code and its Italian text, time (UTC). RFC 4180 (comma, CRLF, double quotes), UTF-8 with a byte-order mark so spreadsheets read the accents.',
      security,
      params: ById,
      response: {
        200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
        ...problems,
        503: ProblemSchema,
      },
    },
  }, async (request, reply) => {
    const staff = requireRole(request, SEES_PHONE_NUMBERS)
    // Another tenant's broadcast is not found (never a hint it exists).
    await lifecycle.load(staff, request.params.id)
    const id = request.params.id
    // The first page before the headers: a worker that does not answer is a 503, not a cut file.
    const first = await deps.worker.failures(id, { limit: FAILURES_PAGE })
    const worker = deps.worker
    async function* lines() {
      yield `\uFEFF${csvLine(FAILURE_CSV_HEADERS)}`
      let page = first
      for (;;) {
        if (page.failures.length > 0) yield page.failures.map(failureCsvLine).join('')
        if (page.next === null) return
        page = await worker.failures(id, { after: page.next, limit: FAILURES_PAGE })
      }
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="non-riusciti-${id}.csv"`)
      .header('cache-control', 'no-store')
      // A stream (the typed reply knows the schema's string, not streams).
      .send(Readable.from(lines()) as unknown as string)
  })

  api.get('/v1/broadcasts/:id/audit', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Who drafted, approved, sent, paused or cancelled it, and what happened to its run',
      security,
      params: ById,
      response: { 200: Type.Object({ entries: Type.Array(AuditEntrySchema) }), ...problems },
    },
  }, async (request) => {
    return { entries: await lifecycle.audit(requireRole(request, ANYONE), request.params.id) }
  })
}
