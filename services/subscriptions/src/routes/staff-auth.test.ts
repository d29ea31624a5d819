import { createStaffAuthenticator, hashApiTokenSecret, StaffForbiddenError, StaffUnauthenticatedError } from '@banditore/platform'
import type { FastifyRequest } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createStaffGuard, StaffPermissions } from './staff-auth.js'

const tokens = new Map([
  [hashApiTokenSecret('desk-ancona'), { id: 't1', tenant: 'ancona', role: 'desk' as const, holder: 'urp@ancona.example', label: 'URP' }],
  [hashApiTokenSecret('privacy-ancona'), { id: 't2', tenant: 'ancona', role: 'privacy-officer' as const, holder: 'dpo@ancona.example', label: 'DPO' }],
  [hashApiTokenSecret('platform'), { id: 't3', tenant: null, role: 'admin' as const, holder: 'ops', label: 'ops' }],
])
const guard = createStaffGuard(createStaffAuthenticator({ apiTokens: async (secret) => tokens.get(hashApiTokenSecret(secret)) }))
const request = (token?: string) => ({ headers: token ? { authorization: `Bearer ${token}` } : {} }) as FastifyRequest

describe('staff guard', () => {
  it('lets the desk answer and block, the privacy officer export, a platform admin do all', async () => {
    expect(await guard(request('desk-ancona'), 'ancona', StaffPermissions.desk)).toMatchObject({ actor: 'token:urp@ancona.example' })
    await expect(guard(request('desk-ancona'), 'ancona', StaffPermissions.senders)).resolves.toBeDefined()
    await expect(guard(request('desk-ancona'), 'ancona', StaffPermissions.privacy)).rejects.toBeInstanceOf(StaffForbiddenError)
    await expect(guard(request('privacy-ancona'), 'ancona', StaffPermissions.privacy)).resolves.toBeDefined()
    await expect(guard(request('privacy-ancona'), 'ancona', StaffPermissions.desk)).rejects.toBeInstanceOf(StaffForbiddenError)
    await expect(guard(request('platform'), 'gressan', StaffPermissions.privacy)).resolves.toBeDefined()
  })

  it('refuses another tenant with 403 and a missing or unknown token with 401', async () => {
    await expect(guard(request('desk-ancona'), 'corbetta', StaffPermissions.desk)).rejects.toMatchObject({ statusCode: 403, message: expect.stringContaining('non hai ruoli per questo comune') })
    await expect(guard(request(), 'ancona', StaffPermissions.desk)).rejects.toBeInstanceOf(StaffUnauthenticatedError)
    await expect(guard(request('nope'), 'ancona', StaffPermissions.desk)).rejects.toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' })
  })
})
