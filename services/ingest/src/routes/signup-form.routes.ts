import { Subjects, type InboundMessage } from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import { parseFormBody } from '@banditore/providers'
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { InboundEnvelope, InboundIntake } from '../inbound-intake.js'
import { OperatorUnauthorizedError, SignupRateLimitedError } from '../ingest-errors.js'
import type { PaperFormOperators } from '../paper-form-operators.js'
import {
  checkSignup,
  formFieldsFromParams,
  paperSignupMessage,
  parsePaperSignupBody,
  parseWebSignupBody,
  webSignupMessage,
} from '../signup-form.js'
import { signupText } from '../signup-form-texts.js'

export interface SignupLimits {
  readonly perIp: number
  readonly ipWindowSeconds: number
  readonly perNumber: number
  readonly numberWindowSeconds: number
}

export interface SignupFormDeps {
  readonly tenants: TenantDirectory
  readonly intake: InboundIntake
  readonly operators: PaperFormOperators
  readonly limits: SignupLimits
}

const encoder = new TextEncoder()
const envelopeOf = (message: InboundMessage): InboundEnvelope => ({
  subject: Subjects.inboundMessage(message.tenant),
  id: message.id,
  kind: 'message',
  data: encoder.encode(JSON.stringify(message)),
})

/**
 * POST /forms/signup (the web form, double opt-in) and POST /forms/paper (paper forms typed in
 * by the URP office, operator bearer token). Both end as an InboundMessage of type `form`.
 *
 * Abuse resistance of the public form: a per-IP limit checked before the body is even read, and
 * a per-number limit on the normalized number (each accepted sign-up makes subscriptions send
 * that number a confirmation, so the form cannot be used to flood a citizen). Counters are in
 * this instance's memory: with N instances behind a balancer the effective limit is up to N times
 * higher (@fastify/rate-limit takes a Redis store when that matters).
 */
export async function signupFormRoutes(app: FastifyInstance, deps: SignupFormDeps): Promise<void> {
  await app.register(rateLimit, { global: false })
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, formFieldsFromParams(parseFormBody(body as string)))
  })

  const perIp = app.createRateLimit({ max: deps.limits.perIp, timeWindow: deps.limits.ipWindowSeconds * 1000 })
  // The per-number key is known only once the body is checked; requests carry it here.
  const numberKeys = new WeakMap<FastifyRequest, string>()
  const perNumber = app.createRateLimit({
    max: deps.limits.perNumber,
    timeWindow: deps.limits.numberWindowSeconds * 1000,
    keyGenerator: (request) => `number:${numberKeys.get(request) ?? ''}`,
  })
  // The operator a paper form's token belongs to, set by its onRequest hook.
  const operatorOf = new WeakMap<FastifyRequest, string>()
  const refuseWhenExceeded = async (
    limiter: typeof perIp,
    request: FastifyRequest,
    reply: FastifyReply,
    message: string,
  ): Promise<void> => {
    const outcome = await limiter(request)
    if (outcome.isAllowed || !outcome.isExceeded) return
    reply.header('retry-after', String(outcome.ttlInSeconds))
    throw new SignupRateLimitedError(message, outcome.ttlInSeconds)
  }

  app.post(
    '/forms/signup',
    {
      config: { door: 'web-form' },
      // Before parsing: a flood from one address costs no body parsing or validation.
      onRequest: async (request, reply) => refuseWhenExceeded(perIp, request, reply, signupText('it', 'tooManyFromAddress')),
    },
    async (request, reply) => {
      const body = parseWebSignupBody(request.body)
      const signup = checkSignup(deps.tenants, body, 'web')
      numberKeys.set(request, signup.phone)
      await refuseWhenExceeded(perNumber, request, reply, signupText(signup.language, 'tooManyForNumber'))
      const message = webSignupMessage(signup, body.submissionId, new Date())
      await deps.intake.accept([envelopeOf(message)])
      request.log.info({ tenant: signup.tenant.id, id: message.id }, 'web sign-up accepted, awaiting confirmation')
      return reply.code(202).send({ status: 'pending-confirmation', id: message.id, message: signupText(signup.language, 'confirmationSent') })
    },
  )

  app.post(
    '/forms/paper',
    {
      config: { door: 'paper-form' },
      onRequest: async (request, reply) => {
        const operator = deps.operators.authenticate(request.headers.authorization)
        if (!operator) {
          reply.header('www-authenticate', 'Bearer realm="banditore-paper-forms"')
          throw new OperatorUnauthorizedError()
        }
        operatorOf.set(request, operator)
      },
    },
    async (request, reply) => {
      const operator = operatorOf.get(request) as string
      const body = parsePaperSignupBody(request.body)
      const signup = checkSignup(deps.tenants, body, 'paper')
      const message = paperSignupMessage(signup, body, operator, new Date())
      const result = await deps.intake.accept([envelopeOf(message)])
      const duplicate = result.duplicates > 0
      request.log.info({ tenant: signup.tenant.id, id: message.id, operator, duplicate }, 'paper sign-up recorded')
      return reply.code(202).send({
        status: duplicate ? 'already-recorded' : 'recorded',
        id: message.id,
        message: signupText(signup.language, duplicate ? 'paperAlreadyRecorded' : 'paperRecorded'),
      })
    },
  )
}
