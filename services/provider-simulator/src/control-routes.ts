import type { FastifyInstance } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { injectSms, injectWhatsAppMessage, SimulatorRequestError } from './citizen-message-injector.js'
import { InvalidFaultPlanError } from './fault-plan.js'
import type { RecordFilter } from './message-record.js'
import type { ProviderSimulator } from './provider-simulator.js'
import { describeIssues, requestIssues } from './request-issues.js'
import { SimTwilioAccountSchema, SimWhatsAppSenderSchema } from './simulator-config.js'
import { SimTemplateSchema } from './template-catalog.js'
import { controlApiDocument, controlApiPage } from './control-api-document.js'
import { EmitStatusSchema, InjectSmsSchema, InjectWhatsAppSchema, LimitsSchema, TemplatePatchSchema } from './control-schemas.js'

const Provider = Type.Union([Type.Literal('whatsapp-cloud'), Type.Literal('sms-gateway')])

const FilterSchema = Type.Object({
  provider: Type.Optional(Provider),
  sender: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  correlation: Type.Optional(Type.String()),
  correlationPrefix: Type.Optional(Type.String()),
})

const MessagesQuerySchema = Type.Object({
  ...FilterSchema.properties,
  offset: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
  limit: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
})





const TemplatesQuerySchema = Type.Object({ businessAccountId: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })

const ThroughputQuerySchema = Type.Object({ ...FilterSchema.properties, windowMs: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) })
const SettleQuerySchema = Type.Object({ timeoutMs: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) })

/** A compiled check that turns a bad payload into a 400 naming each field at fault. */
function validator<S extends TSchema>(schema: S) {
  const compiled = Compile(schema)
  return (value: unknown): Static<S> => {
    if (compiled.Check(value)) return value as Static<S>
    const issues = requestIssues(compiled.Errors(value ?? {}), schema)
    throw new SimulatorRequestError(describeIssues(issues) || 'invalid request', 400, { issues })
  }
}

const parseFilter = validator(FilterSchema)
const parseMessagesQuery = validator(MessagesQuerySchema)
const parseLimits = validator(LimitsSchema)
const parseWhatsAppSender = validator(SimWhatsAppSenderSchema)
const parseTwilioAccount = validator(SimTwilioAccountSchema)
const parseInjectWhatsApp = validator(InjectWhatsAppSchema)
const parseInjectSms = validator(InjectSmsSchema)
const parseEmitStatus = validator(EmitStatusSchema)
const parseThroughputQuery = validator(ThroughputQuerySchema)
const parseSettleQuery = validator(SettleQuerySchema)
const parseTemplate = validator(SimTemplateSchema)
const parseTemplatesQuery = validator(TemplatesQuerySchema)
const parseTemplatePatch = validator(TemplatePatchSchema)

function filterOf(query: Static<typeof FilterSchema>): RecordFilter {
  const { provider, sender, to, correlation, correlationPrefix } = query
  return Object.fromEntries(
    Object.entries({ provider, sender, to, correlation, correlationPrefix }).filter(([, v]) => v !== undefined),
  ) as RecordFilter
}

/** The control endpoints, all under /_sim: never part of a real provider's API. */
export function registerControlRoutes(app: FastifyInstance, sim: ProviderSimulator) {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(
      request.url.startsWith('/_sim')
        ? { type: 'about:blank', title: 'Not Found', status: 404, detail: `no control endpoint ${request.method} ${request.url.split('?')[0]} (see /_sim/docs)` }
        : { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'simulator' } },
    )
  })

  app.get('/_sim/health', async () => ({ status: 'ok', accepted: sim.record.size }))
  const document = controlApiDocument()
  const page = controlApiPage()
  app.get('/_sim/openapi.json', async () => document)
  app.get('/_sim/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page))

  app.get('/_sim/senders', async () => sim.senders.describe())
  app.post('/_sim/senders/whatsapp', async (request, reply) => {
    sim.registerWhatsAppSender(parseWhatsAppSender(request.body))
    return reply.code(204).send()
  })
  app.post('/_sim/senders/twilio', async (request, reply) => {
    sim.registerTwilioAccount(parseTwilioAccount(request.body))
    return reply.code(204).send()
  })

  app.get('/_sim/templates', async (request) => {
    const { businessAccountId } = parseTemplatesQuery(request.query)
    return { templates: sim.templates.list(businessAccountId === undefined ? undefined : sim.businessAccountId(businessAccountId)) }
  })
  app.put<{ Params: { account: string } }>('/_sim/templates/:account', async (request) => sim.setTemplate(request.params.account, parseTemplate(request.body)))
  app.patch<{ Params: { account: string; name: string } }>('/_sim/templates/:account/:name', async (request) => {
    const { language, ...update } = parseTemplatePatch(request.body)
    const changed = sim.updateTemplate(request.params.account, request.params.name, update, language)
    if (changed.length === 0) {
      throw new SimulatorRequestError(
        `no template ${request.params.name}${language ? ` in ${language}` : ''} in business account ${sim.businessAccountId(request.params.account)} (GET /_sim/templates lists them)`,
        404,
      )
    }
    return { templates: changed }
  })

  app.get('/_sim/limits', async () => sim.setLimits({}))
  app.put('/_sim/limits', async (request) => sim.setLimits(parseLimits(request.body)))

  app.get('/_sim/faults', async () => sim.faults.get())
  app.put('/_sim/faults', async (request) => {
    try {
      return sim.faults.set(request.body)
    } catch (error) {
      if (error instanceof InvalidFaultPlanError) throw new SimulatorRequestError(error.message, 400, { cause: error })
      throw error
    }
  })
  app.delete('/_sim/faults', async (_request, reply) => {
    sim.faults.reset()
    return reply.code(204).send()
  })

  app.post('/_sim/inbound/whatsapp', async (request) => injectWhatsAppMessage(sim, parseInjectWhatsApp(request.body)))
  app.post('/_sim/inbound/sms', async (request) => injectSms(sim, parseInjectSms(request.body)))
  app.post('/_sim/status', async (request) => sim.emitStatus(parseEmitStatus(request.body)))

  app.get('/_sim/messages', async (request) => {
    const query = parseMessagesQuery(request.query)
    const messages = sim.record.query(filterOf(query), {
      offset: Number(query.offset ?? 0),
      limit: Math.min(Number(query.limit ?? 1000), 100_000),
    })
    return { count: messages.length, messages }
  })
  app.get<{ Params: { id: string } }>('/_sim/messages/:id', async (request) => {
    const message = sim.record.get(request.params.id)
    if (!message) throw new SimulatorRequestError(`no message ${request.params.id} was accepted (GET /_sim/messages lists them)`, 404)
    return message
  })
  app.get('/_sim/stats', async (request) => sim.stats(filterOf(parseFilter(request.query))))
  app.get('/_sim/duplicates', async (request) => ({ duplicates: sim.record.duplicatesOf(filterOf(parseFilter(request.query))) }))
  app.get('/_sim/throughput', async (request) => {
    const query = parseThroughputQuery(request.query)
    const windowMs = Number(query.windowMs ?? 1000)
    return { windowMs, maxInWindow: sim.record.maxInWindow(windowMs, filterOf(query)) }
  })

  app.post('/_sim/settle', async (request) => {
    const timeoutMs = Number(parseSettleQuery(request.query).timeoutMs ?? 30_000)
    let timer: ReturnType<typeof setTimeout> | undefined
    const settled = await Promise.race([
      sim.callbacks.settle().then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ])
    clearTimeout(timer)
    return { settled, callbacks: sim.callbacks.stats() }
  })
  app.post('/_sim/reset', async (_request, reply) => {
    sim.reset()
    return reply.code(204).send()
  })
}
