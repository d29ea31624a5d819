import { randomUUID } from 'node:crypto'
import {
  BroadcastPlanSchema,
  BroadcastPreviewBodySchema,
  BroadcastPreviewSchema,
  BroadcastViewSchema,
  RejectBodySchema,
  TenantIdSchema,
  ComposeOptionsSchema,
  type BroadcastDraftBody,
  type BroadcastPreview,
} from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import type { AudienceCounter } from '../audience/audience-count.client.js'
import { requireRole } from '../auth/staff-auth.js'
import { DraftInvalidError, UnknownTenantError } from '../broadcast-errors.js'
import { validateDraft } from '../broadcast-draft.js'
import type { BroadcastLifecycle } from '../broadcast-lifecycle.js'
import { draftTexts, type OutboundChecker } from '../outbound-check.client.js'
import { DEFAULT_MPS, durationAtCap, type BroadcastPlanner } from '../planning/broadcast-plan.js'
import type { TemplateRegistry } from '../templates/template-registry.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
const COMPOSERS = ['operator', 'approver', 'admin'] as const

export interface BroadcastReviewDeps {
  lifecycle: BroadcastLifecycle
  tenants: TenantDirectory
  checker: OutboundChecker
  audience: AudienceCounter
  planner: BroadcastPlanner
  /** The WhatsApp template registry: each template's status, category and quality at Meta. */
  registry?: Pick<TemplateRegistry, 'composeTemplates' | 'checkDraft'>
}

/** What the console needs around a draft: its rejection, a dry run while it is written, the template catalog. */
export function registerBroadcastReviewRoutes(app: FastifyInstance, deps: BroadcastReviewDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { lifecycle, tenants, checker, audience, planner, registry } = deps

  api.post('/v1/broadcasts/:id/reject', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Send a draft back to its author with a reason (approvers; four eyes)',
      description: 'The broadcast stays a draft its author can edit; the reason is recorded in the audit trail.',
      security,
      params: ById,
      body: RejectBodySchema,
      response: { 200: BroadcastViewSchema, ...problems, 409: ProblemSchema },
    },
  }, async (request) => await lifecycle.reject(requireRole(request, ['approver']), request.params.id, request.body.reason))

  api.post('/v1/broadcasts/preview', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Dry run of a draft: outbound policy check, audience per channel and language, duration at the cap',
      description: 'Nothing is stored. The console calls it while the editor types.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      body: BroadcastPreviewBodySchema,
      response: { 200: BroadcastPreviewSchema, ...problems, 503: ProblemSchema },
    },
  }, async (request): Promise<BroadcastPreview> => {
    const staff = requireRole(request, COMPOSERS)
    const tenant = tenantForRead(tenants, staff, request.query.tenant)
    const draft: BroadcastDraftBody = { ...request.body, title: request.body.title || 'anteprima' }
    const hasContent = Boolean(draft.whatsapp || draft.sms)
    if (hasContent) {
      validateDraft(tenant, draft)
      // The dry run tells the editor at once what the draft itself would be refused for.
      await registry?.checkDraft(tenant, draft)
    } else {
      const known = new Set(tenant.topics.map((t) => t.id))
      draft.topics.forEach((topic, i) => {
        if (!known.has(topic)) throw new DraftInvalidError(`${tenant.name} non ha l'argomento "${topic}"`, `/topics/${i}`)
      })
    }
    const texts = draftTexts(draft)
    const [count, outboundCheck] = await Promise.all([
      audience.count(tenant.id, draft.topics, draft.languages),
      Object.values(texts).some((t) => t.trim().length > 0) ? checker.check(tenant.id, `preview:${randomUUID()}`, draft) : Promise.resolve(null),
    ])
    const duration: BroadcastPreview['duration'] = durationAtCap(tenant, count)
    return { audience: count, outboundCheck, duration }
  })

  api.get('/v1/broadcasts/:id/plan', {
    schema: {
      tags: ['broadcasts'],
      summary: 'Pre-flight plan: audience and skipped, duration at the cap, quiet-hour pauses, WhatsApp messaging limit, cost, electoral period',
      description:
        "What the broadcast will do if approved and sent now (or at its scheduled time). The messaging limit's use in the last 24 hours is an upper " +
        'bound: every recipient handed to a provider by the tenant\'s broadcasts dispatched in the last 24 hours. Nothing is stored.',
      security,
      params: ById,
      response: { 200: BroadcastPlanSchema, ...problems, 503: ProblemSchema },
    },
  }, async (request) => {
    const staff = requireRole(request, COMPOSERS)
    const broadcast = await lifecycle.load(staff, request.params.id)
    const tenant = tenants.get(broadcast.tenant)
    if (!tenant) throw new UnknownTenantError(broadcast.tenant)
    return await planner.plan(tenant, broadcast)
  })

  api.get('/v1/compose-options', {
    schema: {
      tags: ['broadcasts'],
      summary: "What a draft of the tenant can use: languages, topics, channels with their caps, approved WhatsApp templates",
      description:
        "Each template of the tenant file comes with `registry`: its status, category and quality rating at Meta, from the template registry's last read " +
        '(`templateRegistry` says when; never read: no `registry`, the tenant file is all there is). `unconfiguredTemplates`: templates Meta holds that the tenant file does not offer.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      response: { 200: ComposeOptionsSchema, ...problems },
    },
  }, async (request) => {
    const tenant = tenantForRead(tenants, requireRole(request, COMPOSERS), request.query.tenant)
    const first = tenant.languages[0] as string
    const { whatsapp, sms } = tenant.channels
    return {
      languages: tenant.languages,
      topics: tenant.topics.map((t) => ({ id: t.id, name: t.names[first] ?? t.id, alwaysOn: t.alwaysOn ?? false })),
      channels: {
        ...(whatsapp ? { whatsapp: { messagesPerSecond: whatsapp.messagesPerSecond ?? DEFAULT_MPS.whatsapp } } : {}),
        ...(sms ? { sms: { messagesPerSecond: sms.messagesPerSecond ?? DEFAULT_MPS.sms } } : {}),
      },
      ...(registry && whatsapp ? await registry.composeTemplates(tenant) : { templates: tenant.whatsappTemplates ?? [] }),
    }
  })
}
