import type { FastifyInstance } from 'fastify'
import Type, { type Static, type TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { injectSms, injectWhatsAppMessage, SimulatorRequestError } from './citizen-message-injector.js'
import { InvalidFaultPlanError } from './fault-plan.js'
import type { RecordFilter } from './message-record.js'
import type { ProviderSimulator } from './provider-simulator.js'
import { SimTwilioAccountSchema, SimWhatsAppSenderSchema } from './simulator-config.js'

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

const LimitsSchema = Type.Object(
  {
    defaultThroughputPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    pairRatePerSecond: Type.Optional(Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Null()])),
    pairBurst: Type.Optional(Type.Integer({ minimum: 1 })),
    sender: Type.Optional(Type.String({ minLength: 1 })),
    throughputPerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
)

const InjectWhatsAppSchema = Type.Object(
  {
    to: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 1 }),
    profileName: Type.Optional(Type.String()),
    text: Type.Optional(Type.String()),
    message: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    messageId: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const InjectSmsSchema = Type.Object(
  {
    to: Type.String({ minLength: 1 }),
    from: Type.String({ minLength: 1 }),
    body: Type.String(),
    media: Type.Optional(Type.Array(Type.Object({ url: Type.String(), contentType: Type.String() }))),
    optOutType: Type.Optional(Type.Union([Type.Literal('STOP'), Type.Literal('START'), Type.Literal('HELP'), Type.Null()])),
    messageSid: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
)

const EmitStatusSchema = Type.Object(
  {
    providerMessageId: Type.String({ minLength: 1 }),
    state: Type.Union([
      Type.Literal('sent'),
      Type.Literal('delivered'),
      Type.Literal('read'),
      Type.Literal('failed'),
      Type.Literal('undelivered'),
    ]),
    errorCode: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
)

const ThroughputQuerySchema = Type.Object({ ...FilterSchema.properties, windowMs: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) })
const SettleQuerySchema = Type.Object({ timeoutMs: Type.Optional(Type.String({ pattern: '^[0-9]+$' })) })

/** A compiled check that turns a bad payload into a 400 naming the first problem. */
function validator<S extends TSchema>(schema: S) {
  const compiled = Compile(schema)
  return (value: unknown): Static<S> => {
    if (compiled.Check(value)) return value as Static<S>
    const first = compiled.Errors(value)[0]
    throw new SimulatorRequestError(`${first?.instancePath || '/'} ${first?.message ?? 'invalid'}`)
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
        ? { type: 'about:blank', title: 'Not Found', status: 404 }
        : { error: { message: 'Unknown path components', type: 'OAuthException', code: 2500, fbtrace_id: 'simulator' } },
    )
  })

  app.get('/_sim/health', async () => ({ status: 'ok', accepted: sim.record.size }))

  app.get('/_sim/senders', async () => sim.senders.describe())
  app.post('/_sim/senders/whatsapp', async (request, reply) => {
    sim.registerWhatsAppSender(parseWhatsAppSender(request.body))
    return reply.code(204).send()
  })
  app.post('/_sim/senders/twilio', async (request, reply) => {
    sim.registerTwilioAccount(parseTwilioAccount(request.body))
    return reply.code(204).send()
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
    if (!message) throw new SimulatorRequestError('no such message', 404)
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
