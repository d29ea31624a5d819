import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { HttpProblem } from './http-problem.js'
import { createStaffAuthenticator } from './staff-auth.js'

const authenticate = createStaffAuthenticator([
  { staffId: 'urp-ancona', tenant: 'ancona', token: 'ancona-token-0123456789abcdef' },
  { staffId: 'admin', tenant: '*', token: 'admin-token-0123456789abcdefgh' },
])
const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {} }) as FastifyRequest
const problemOf = (fn: () => unknown) => {
  try {
    fn()
  } catch (error) {
    return error as HttpProblem
  }
  throw new Error('expected a problem')
}

describe('staff bearer tokens', () => {
  it('identifies a token and its tenants', () => {
    expect(authenticate(request('Bearer ancona-token-0123456789abcdef'), 'ancona')).toEqual({ staffId: 'urp-ancona', actor: 'staff:urp-ancona' })
    expect(authenticate(request('bearer admin-token-0123456789abcdefgh'), 'gressan')).toEqual({ staffId: 'admin', actor: 'staff:admin' })
  })

  it('refuses a missing, malformed, unknown or out-of-tenant token with the right status', () => {
    expect(problemOf(() => authenticate(request(), 'ancona'))).toMatchObject({ statusCode: 401, code: 'STAFF_TOKEN_MISSING' })
    expect(problemOf(() => authenticate(request('Basic dXNlcjpwYXNz'), 'ancona'))).toMatchObject({ statusCode: 401, code: 'STAFF_TOKEN_MISSING' })
    expect(problemOf(() => authenticate(request('Bearer ancona-token-0123456789abcdeX'), 'ancona'))).toMatchObject({ statusCode: 401, code: 'STAFF_TOKEN_INVALID' })
    expect(problemOf(() => authenticate(request('Bearer ancona'), 'ancona'))).toMatchObject({ statusCode: 401, code: 'STAFF_TOKEN_INVALID' })
    const forbidden = problemOf(() => authenticate(request('Bearer ancona-token-0123456789abcdef'), 'corbetta'))
    expect(forbidden).toBeInstanceOf(HttpProblem)
    expect(forbidden).toMatchObject({ statusCode: 403, code: 'TENANT_FORBIDDEN', name: 'Forbidden' })
  })

  it('refuses everything when no token is configured', () => {
    const none = createStaffAuthenticator([])
    expect(problemOf(() => none(request('Bearer anything-at-all-0123456789'), 'ancona'))).toMatchObject({ statusCode: 401 })
  })
})
