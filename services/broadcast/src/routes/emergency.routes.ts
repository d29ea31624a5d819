import { AcknowledgeBodySchema, EmergencyDraftBodySchema, EmergencyTranslationBodySchema, EmergencyTriggerBodySchema, EmergencyViewSchema, TenantIdSchema, TimelineEntrySchema } from '@banditore/contracts'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { FastifyInstance } from 'fastify'
import Type from 'typebox'
import { requireRole } from '../auth/staff-auth.js'
import { CapInvalidError, DraftInvalidError } from '../broadcast-errors.js'
import { MAX_CAP_DOCUMENT_BYTES as CAP_MAX_BYTES } from '../cap/index.js'
import type { EmergencyLifecycle } from '../emergency/emergency-lifecycle.js'
import { ProblemSchema } from './problem.schema.js'

const security = [{ bearer: [] }]
const problems = { 400: ProblemSchema, 401: ProblemSchema, 403: ProblemSchema, 404: ProblemSchema, 409: ProblemSchema, 422: ProblemSchema, 503: ProblemSchema }
const ById = Type.Object({ id: Type.String({ format: 'uuid' }) })
/** Who may create and trigger emergencies. */
const SENDERS = ['civil-protection', 'admin'] as const
const ANYONE = ['operator', 'approver', 'admin', 'civil-protection'] as const
const CAP_TYPES = ['application/cap+xml', 'application/xml', 'text/xml']
/** The `charset` parameter of a Content-Type (RFC 9110 8.3.1), quoted or not. */
const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]+))/i

function charsetOf(contentType: string | undefined): string | undefined {
  const match = contentType === undefined ? null : CHARSET.exec(contentType)
  return match ? (match[1] ?? match[2]) : undefined
}

export function registerEmergencyRoutes(app: FastifyInstance, deps: { lifecycle: EmergencyLifecycle }) {
  const api = app.withTypeProvider<TypeBoxTypeProvider>()
  const { lifecycle } = deps
  // The CAP document arrives as bytes: the parser decodes them as its BOM, the charset below or
  // its XML declaration say (an ISO-8859-1 document is not UTF-8).
  app.addContentTypeParser(CAP_TYPES, { parseAs: 'buffer', bodyLimit: CAP_MAX_BYTES }, (_request, body, done) => done(null, body))

  api.post('/v1/emergencies', {
    schema: {
      tags: ['emergencies'],
      summary: 'Create an emergency alert, update or all-clear (civil protection, admins)',
      description:
        'Goes to every subscriber of the tenant. With `trigger`, it is sent at once: emergencies skip four-eyes approval, and the reason is recorded. ' +
        'An update or all-clear names the alert it follows in `references`.',
      security,
      body: EmergencyDraftBodySchema,
      response: { 201: EmergencyViewSchema, ...problems },
    },
  }, async (request, reply) => reply.status(201).send(await lifecycle.create(requireRole(request, SENDERS), request.body)))

  api.post('/v1/emergencies/cap', {
    schema: {
      tags: ['emergencies'],
      summary: 'Turn a CAP 1.2 document into an emergency draft (civil protection, admins)',
      description:
        `Body: the CAP XML (${CAP_TYPES.join(', ')}), at most ${CAP_MAX_BYTES / 1024} KiB, in the encoding its byte-order mark, the Content-Type charset or its XML declaration gives. ` +
        'Update and Cancel messages are linked to the alert they follow; a Cancel without <info> is the all-clear of the alert it references. ' +
        'Only Actual, Public alerts become drafts (Test, Exercise, System and Draft never reach citizens); an expired alert is refused. ' +
        'A document with no <info> in the tenant\'s languages gives a draft to translate (`cap.translation`), sendable once translated. An invalid document is refused with the reason.',
      security,
      querystring: Type.Object({ tenant: Type.Optional(TenantIdSchema) }),
      consumes: CAP_TYPES,
      response: { 201: EmergencyViewSchema, ...problems },
    },
  }, async (request, reply) => {
    const staff = requireRole(request, SENDERS)
    if (!Buffer.isBuffer(request.body)) throw new CapInvalidError(`CAP non valido: il corpo deve essere XML (${CAP_TYPES.join(', ')})`)
    return reply.status(201).send(await lifecycle.createFromCap(staff, request.body, request.query.tenant, charsetOf(request.headers['content-type'])))
  })

  api.post('/v1/emergencies/:id/translation', {
    schema: {
      tags: ['emergencies'],
      summary: 'Translate a CAP draft that came in another language (civil protection, admins)',
      description: "The draft's `cap.translation` holds the issuer's text; the translation (at least in the tenant's main language) becomes the message, and the draft can be sent.",
      security,
      params: ById,
      body: EmergencyTranslationBodySchema,
      response: { 200: EmergencyViewSchema, ...problems },
    },
  }, async (request) => lifecycle.translate(requireRole(request, SENDERS), request.params.id, request.body))

  api.post('/v1/emergencies/:id/trigger', {
    schema: {
      tags: ['emergencies'],
      summary: 'Send a drafted emergency now, skipping four-eyes approval (civil protection, admins)',
      security,
      params: ById,
      body: EmergencyTriggerBodySchema,
      response: { 200: EmergencyViewSchema, ...problems },
    },
  }, async (request) => lifecycle.trigger(requireRole(request, SENDERS), request.params.id, request.body.reason, request.body.poll))

  api.post('/v1/emergencies/:id/poll/reminder', {
    schema: {
      tags: ['emergencies'],
      summary: "Send the safety poll's reminder now (civil protection, admins)",
      description: 'The alert again to every citizen it asked who has not answered yet; once per alert (a later request changes nothing).',
      security,
      params: ById,
      response: { 200: EmergencyViewSchema, ...problems },
    },
  }, async (request) => lifecycle.remindPoll(requireRole(request, SENDERS), request.params.id))

  api.post('/v1/emergencies/:id/acknowledge', {
    schema: {
      tags: ['emergencies'],
      summary: 'Take charge of an alert: its escalation stops',
      description: 'Officials can also acknowledge by replying to the notice they received.',
      security,
      params: ById,
      body: Type.Optional(AcknowledgeBodySchema),
      response: { 200: EmergencyViewSchema, ...problems },
    },
  }, async (request) => {
    const staff = requireRole(request, ANYONE)
    const { onBehalfOf, reason } = request.body ?? {}
    if (onBehalfOf !== undefined && reason === undefined) {
      throw new DraftInvalidError('indicare il motivo per cui si prende in carico a nome di un altro', '/reason')
    }
    return lifecycle.acknowledge(staff, request.params.id, onBehalfOf !== undefined && reason !== undefined ? { official: onBehalfOf, reason } : undefined)
  })

  api.get('/v1/emergencies/:id', {
    schema: { tags: ['emergencies'], summary: 'One emergency alert, with messages per channel', security, params: ById, response: { 200: EmergencyViewSchema, ...problems } },
  }, async (request) => lifecycle.view(await lifecycle.load(requireRole(request, ANYONE), request.params.id)))

  api.get('/v1/emergencies/:id/timeline', {
    schema: {
      tags: ['emergencies'],
      summary: "The alert's timeline: trigger, approval skipped, messages per channel, fallbacks, escalations, acknowledgements",
      security,
      params: ById,
      response: { 200: Type.Object({ entries: Type.Array(TimelineEntrySchema) }), ...problems },
    },
  }, async (request) => ({ entries: await lifecycle.timeline(requireRole(request, ANYONE), request.params.id) }))
}
