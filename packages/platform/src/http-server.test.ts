import { describe, expect, it } from 'vitest'
import { createServiceServer } from './http-server.js'
import { createLogger } from './logger.js'

/** The problem+json every service answers an error with: what it says, and what it keeps to itself. */
describe('service server errors', () => {
  const server = () => {
    const app = createServiceServer({ service: 'test', logger: createLogger({ service: 'test', level: 'silent' }), readiness: {} })
    app.get('/unavailable', async () => {
      throw Object.assign(new Error('esportazione non completa: il servizio moderazione non ha risposto; riprovare tra poco'), { statusCode: 503, code: 'EXPORT_INCOMPLETE' })
    })
    app.get('/broken', async () => {
      throw new TypeError('x is undefined at /app/src/store.ts:12')
    })
    app.get('/uncoded-503', async () => {
      throw Object.assign(new Error('pool exhausted at 10.0.0.7'), { statusCode: 503 })
    })
    return app
  }

  it('says which dependency is missing when the service raised a 503 of its own, with its code', async () => {
    const response = await server().inject({ method: 'GET', url: '/unavailable' })
    expect(response.statusCode).toBe(503)
    expect(response.json()).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'esportazione non completa: il servizio moderazione non ha risposto; riprovare tra poco',
      code: 'EXPORT_INCOMPLETE',
    })
  })

  it('keeps the internals of any other server error to itself', async () => {
    for (const url of ['/broken', '/uncoded-503']) {
      const response = await server().inject({ method: 'GET', url })
      expect(response.statusCode).toBeGreaterThanOrEqual(500)
      expect(response.json()).toMatchObject({ title: 'Internal Server Error', detail: 'The request could not be completed; it can be retried.' })
      expect(response.body).not.toMatch(/store\.ts|10\.0\.0\.7|undefined/)
    }
  })
})
