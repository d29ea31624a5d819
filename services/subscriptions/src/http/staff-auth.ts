import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import type { StaffToken } from '../config.js'
import { HttpProblem } from './http-problem.js'

export interface StaffIdentity {
  staffId: string
  /** The actor recorded in the ledger and on desk answers. */
  actor: string
}

const digest = (value: string) => createHash('sha256').update(value).digest()

/**
 * Checks `Authorization: Bearer <token>` against the configured staff tokens and the tenant in
 * the path. Tokens are compared as SHA-256 digests in constant time, every one of them, so
 * neither the length nor the position of a match leaks through timing.
 */
export function createStaffAuthenticator(tokens: readonly StaffToken[]) {
  const known = tokens.map((t) => ({ ...t, digest: digest(t.token) }))
  return (request: FastifyRequest, tenant: string): StaffIdentity => {
    const header = request.headers.authorization
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null
    if (!match) throw new HttpProblem(401, 'STAFF_TOKEN_MISSING', 'a staff bearer token is required')
    const presented = digest(match[1]!)
    let found: (typeof known)[number] | undefined
    for (const candidate of known) {
      if (timingSafeEqual(candidate.digest, presented)) found ??= candidate
    }
    if (!found) throw new HttpProblem(401, 'STAFF_TOKEN_INVALID', 'the staff token is not valid')
    if (found.tenant !== '*' && found.tenant !== tenant) {
      throw new HttpProblem(403, 'TENANT_FORBIDDEN', `this token may not act for tenant ${tenant}`)
    }
    return { staffId: found.staffId, actor: `staff:${found.staffId}` }
  }
}

export type StaffAuthenticator = ReturnType<typeof createStaffAuthenticator>
