import { STATUS_CODES } from 'node:http'
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify'
import { registerControlRoutes } from './control-routes.js'
import { handleGraphSend } from './graph-send-handler.js'
import { handleTemplateList } from './graph-template-handler.js'
import { graphError, twilioError } from './provider-error-catalog.js'
import type { ProviderSimulator, SimReply } from './provider-simulator.js'
import type { RequestIssue } from './request-issues.js'
import { handleTwilioSend } from './twilio-send-handler.js'
import { parseFormBody } from '@banditore/providers'

export interface SimulatorAppOptions {
  /** Fastify's logger option; default off. Request logging is always off (URLs carry numbers). */
  readonly logger?: FastifyServerOptions['logger']
}

export interface SimulatorApp {
  readonly app: FastifyInstance
  /** Lets every held request (timeout faults) go, by dropping its connection. */
  releaseHeld(): void
}

/**
 * The simulator's HTTP face: the Graph API and Twilio endpoints the adapters call, and the
 * control endpoints under /_sim. Build it without listening for app.inject() tests.
 */
export function buildSimulatorApp(sim: ProviderSimulator, options: SimulatorAppOptions = {}): SimulatorApp {
  const app = Fastify({
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: true,
    bodyLimit: 1024 * 1024,
  })
  const held = new Set<() => void>()

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseFormBody(body as string))
  })

  app.setErrorHandler((error: { statusCode?: number; message: string; issues?: readonly RequestIssue[] }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500
    if (status >= 500) request.log.error({ err: error }, 'simulator error')
    if (request.url.startsWith('/_sim')) {
      return reply
        .code(status)
        .type('application/problem+json')
        .send({
          type: 'about:blank',
          title: status >= 500 ? 'Internal Server Error' : (STATUS_CODES[status] ?? 'Bad Request'),
          status,
          detail: status >= 500 ? 'simulator error' : error.message,
          ...(error.issues?.length ? { errors: error.issues } : {}),
        })
    }
    if (request.url.startsWith('/2010-04-01/')) {
      const response = twilioError(status >= 500 ? 20500 : 21211, { httpStatus: status, message: error.message })
      return reply.code(response.status).send(response.body)
    }
    const response = graphError(status >= 500 ? 131000 : 100, { httpStatus: status, details: error.message })
    return reply.code(response.status).send(response.body)
  })

  async function answer(request: FastifyRequest, reply: FastifyReply, result: SimReply) {
    if (result.kind === 'reply') return reply.code(result.status).send(result.body)
    // A timeout: never answer; drop the connection after holdMs, when the client gives up, or
    // when the simulator stops.
    reply.hijack()
    await new Promise<void>((resolve) => {
      const release = () => {
        if (!held.delete(release)) return
        if (timer) clearTimeout(timer)
        request.raw.socket?.destroy()
        resolve()
      }
      const timer = result.holdMs !== undefined ? setTimeout(release, result.holdMs) : undefined
      held.add(release)
      reply.raw.on('close', release)
    })
    return reply
  }

  app.post<{ Params: { version: string; phoneNumberId: string } }>('/:version/:phoneNumberId/messages', async (request, reply) => {
    if (!/^v\d+\.\d+$/.test(request.params.version)) {
      const response = graphError(100, { details: `Unknown API version ${request.params.version}` })
      return reply.code(response.status).send(response.body)
    }
    const result = await handleGraphSend(sim, {
      phoneNumberId: request.params.phoneNumberId,
      authorization: request.headers.authorization,
      body: request.body,
    })
    return answer(request, reply, result)
  })

  app.get<{ Params: { version: string; businessAccountId: string }; Querystring: Record<string, string | string[] | undefined> }>(
    '/:version/:businessAccountId/message_templates',
    async (request, reply) => {
      const result = handleTemplateList(sim, {
        version: request.params.version,
        businessAccountId: request.params.businessAccountId,
        authorization: request.headers.authorization,
        query: request.query,
        selfUrl: `${request.protocol}://${request.host}${request.url.split('?')[0] ?? ''}`,
      })
      return answer(request, reply, result)
    },
  )

  app.post<{ Params: { accountSid: string } }>('/2010-04-01/Accounts/:accountSid/Messages.json', async (request, reply) => {
    const params = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, string | string[]>
    const result = await handleTwilioSend(sim, {
      accountSid: request.params.accountSid,
      authorization: request.headers.authorization,
      params,
    })
    return answer(request, reply, result)
  })

  registerControlRoutes(app, sim)

  return {
    app,
    releaseHeld() {
      for (const release of [...held]) release()
    },
  }
}
