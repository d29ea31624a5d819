import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify'
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Logger } from './logger.js'

export type ReadinessCheck = () => Promise<void>

export interface ServiceServerConfig {
  service: string
  logger: Logger
  /** Named probes run by GET /readyz: the service is ready when every one resolves. */
  readiness: Record<string, ReadinessCheck>
  /** The service's metrics; default process metrics are added to it. */
  registry?: Registry
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number
  /** Trust X-Forwarded-For from a reverse proxy (for per-IP limits behind a load balancer). */
  trustProxy?: boolean
}

/** RFC 9457 problem details; 5xx detail is masked so internals never reach a client. */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  code?: string
  errors?: unknown
}

const PROBE_TIMEOUT_MS = 2000

async function withTimeout(check: ReadinessCheck): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      check(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A fastify instance with what every service exposes: GET /healthz (alive), GET /readyz (its
 * dependencies answer), GET /metrics (Prometheus), request metrics and problem+json errors.
 */
export function createServiceServer(config: ServiceServerConfig): FastifyInstance {
  const registry = config.registry ?? new Registry()
  registry.setDefaultLabels({ service: config.service })
  collectDefaultMetrics({ register: registry })
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  })

  const app = Fastify({
    trustProxy: config.trustProxy ?? false,
    loggerInstance: config.logger as FastifyBaseLogger,
    bodyLimit: config.bodyLimit ?? 1024 * 1024,
    // No log line per request: at thousands of webhooks a second it would cost more than the
    // request, and it would carry citizens' numbers in URLs. Metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
  })

  // Providers and proxies keep connections alive. close() ends only idle ones, so a connection
  // busy when SIGTERM came would hold shutdown for the whole keep-alive timeout (72 s), past the
  // 10 s grace. While closing, every answer says `Connection: close` and each finished request
  // closes the connections that just went idle.
  let closing = false
  app.addHook('preClose', async () => {
    closing = true
  })
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close')
  })

  app.addHook('onResponse', async (request, reply) => {
    if (closing) setImmediate(() => app.server.closeIdleConnections())
    duration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    )
  })

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500
    // A 503 the service raised on purpose (a dependency that did not answer, with its own code
    // and message for staff) says what is missing; any other 5xx says nothing of the internals.
    const unavailable = status === 503 && typeof error.code === 'string' && !error.code.startsWith('FST_')
    if (status >= 500) request.log[unavailable ? 'warn' : 'error']({ err: error }, 'request failed')
    const exposed = status < 500 || unavailable
    const problem: Problem = {
      type: 'about:blank',
      title: unavailable ? 'Service Unavailable' : status >= 500 ? 'Internal Server Error' : (error.name ?? 'Bad Request'),
      status,
      detail: exposed ? error.message : 'The request could not be completed; it can be retried.',
      code: exposed ? error.code : undefined,
      errors: error.validation,
    }
    return reply.status(status).type('application/problem+json').send(problem)
  })

  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .type('application/problem+json')
      .send({ type: 'about:blank', title: 'Not Found', status: 404, detail: `${request.method} ${request.url} does not exist` }),
  )

  app.get('/healthz', { logLevel: 'silent' }, async () => ({ status: 'ok', service: config.service }))

  app.get('/readyz', { logLevel: 'silent' }, async (_request, reply) => {
    const results = await Promise.allSettled(Object.values(config.readiness).map(withTimeout))
    const checks = Object.fromEntries(
      Object.keys(config.readiness).map((name, i) => {
        const r = results[i]
        return [name, r?.status === 'fulfilled' ? 'ok' : `failing: ${(r?.reason as Error | undefined)?.message ?? 'unknown'}`]
      }),
    )
    const ready = results.every((r) => r.status === 'fulfilled')
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks })
  })

  app.get('/metrics', { logLevel: 'silent' }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  )

  return app
}
