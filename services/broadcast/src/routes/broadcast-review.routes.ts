import { randomUUID } from 'node:crypto'
import {
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
import { DraftInvalidError } from '../broadcast-errors.js'
import { validateDraft } from '../broadcast-draft.js'
import type { BroadcastLifecycle } from '../broadcast-lifecycle.js'
import { draftTexts, type OutboundChecker } from '../outbound-check.client.js'
import { ProblemSchema } from './problem.schema.js'
import { tenantForRead } from './staff-tenant.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 422: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
const COMPOSERS = ['operator', 'approver', 'admin'] as const
/** Default caps when the tenant file leaves them out (the schema's defaults). */
const DEFAULT_MPS = { whatsapp: 80, sms: 10 } as const

export interface BroadcastReviewDeps {
  lifecycle: BroadcastLifecycle
  tenants: TenantDirectory
  checker: OutboundChecker
  audience: AudienceCounter
}

/** What the console needs around a draft: its rejection, a dry run while it is written, the template catalog. */
export function registerBroadcastReviewRoutes(app: FastifyInstance, deps: BroadcastReviewDeps) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { lifecycle, tenants, checker, audience } = deps

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
    if (hasContent) validateDraft(tenant, draft)
    else {
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
    // A subscriber gets the broadcast on their own channel only: channels send side by side.
    const duration: BroadcastPreview['duration'] = { seconds: 0 }
    for (const channel of ['whatsapp', 'sms'] as const) {
      const configured = tenant.channels[channel]
      if (!configured) continue
      const messagesPerSecond = configured.messagesPerSecond ?? DEFAULT_MPS[channel]
      const recipients = count.byChannel[channel]
      const seconds = Math.ceil((recipients / messagesPerSecond) * 10) / 10
      duration[channel] = { recipients, messagesPerSecond, seconds }
      duration.seconds = Math.max(duration.seconds, seconds)
    }
    return { audience: count, outboundCheck, duration }
  })

  api.get('/v1/compose-options', {
    schema: {
      tags: ['broadcasts'],
      summary: "What a draft of the tenant can use: languages, topics, channels with their caps, approved WhatsApp templates",
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
      templates: tenant.whatsappTemplates ?? [],
    }
  })
}
