import Fastify, { type FastifyInstance } from 'fastify'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashApiTokenSecret } from './api-token-bucket.js'
import { StaffForbiddenError, StaffUnauthenticatedError } from './staff-auth-errors.js'
import { createStaffAuthenticator, grantsOfClaim, type StaffAuthenticator } from './staff-authenticator.js'
import { assertStaffRole, parseGrant } from './staff-principal.js'

// A real issuer over HTTP: discovery document and JWKS served by a local fastify.
let idp: FastifyInstance
let issuer: string
let sign: (claims: Record<string, unknown>, options?: { audience?: string; expiresIn?: string | number; issuer?: string }) => Promise<string>
let foreignSign: typeof sign
let authenticator: StaffAuthenticator

const TOKENS = new Map([[hashApiTokenSecret('bnd_cms-token'), { id: 't-1', tenant: 'corbetta', role: 'operator' as const, holder: 'cms@corbetta.example', label: 'CMS' }]])

beforeAll(async () => {
  const keys = await generateKeyPair('RS256')
  const foreign = await generateKeyPair('RS256')
  const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }
  idp = Fastify()
  idp.get('/.well-known/openid-configuration', async () => ({ issuer, jwks_uri: `${issuer}/jwks` }))
  idp.get('/jwks', async () => ({ keys: [jwk] }))
  issuer = (await idp.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1')
  const signer = (key: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']): typeof sign => async (claims, options = {}) =>
    await new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? 'banditore')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '10m')
      .sign(key)
  sign = signer(keys.privateKey)
  foreignSign = signer(foreign.privateKey)
  authenticator = createStaffAuthenticator({
    oidc: { issuer, audience: 'banditore', rolesClaim: 'banditore_roles', roleMap: { '/corbetta/urp': 'corbetta:desk' }, clockToleranceSeconds: 0 },
    apiTokens: async (secret) => TOKENS.get(hashApiTokenSecret(secret)),
  })
})
afterAll(async () => idp.close())

const refusal = async (promise: Promise<unknown>) => await promise.then(() => undefined, (error: unknown) => error)

describe('staff authenticator', () => {
  it("turns a person's access token into a principal with grants", async () => {
    const jwt = await sign({ sub: 'u-1', name: 'Maria Rossi', email: 'Maria.Rossi@corbetta.example', banditore_roles: ['corbetta:operator', 'ancona:approver', '/corbetta/urp', 'nonsense', 'corbetta:king'] })
    const principal = await authenticator.authenticate(`Bearer ${jwt}`)
    expect(principal).toMatchObject({ subject: 'u-1', name: 'Maria Rossi', via: 'person', actor: 'Maria Rossi <Maria.Rossi@corbetta.example>', holder: 'maria.rossi@corbetta.example' })
    expect(principal.grants).toEqual([
      { tenant: 'corbetta', role: 'operator' },
      { tenant: 'ancona', role: 'approver' },
      { tenant: 'corbetta', role: 'desk' },
    ])
    expect(principal.rolesFor('corbetta')).toEqual(['operator', 'desk'])
    expect(principal.hasRole('ancona', ['operator'])).toBe(false)
    expect(principal.tenants()).toEqual(['corbetta', 'ancona'])
  })

  it('gives a platform admin every tenant', async () => {
    const principal = await authenticator.authenticate(`Bearer ${await sign({ sub: 'root', preferred_username: 'admin', banditore_roles: '*:admin' })}`)
    expect(principal.isPlatformAdmin()).toBe(true)
    expect(principal.hasRole('gressan', ['admin'])).toBe(true)
    expect(principal.actor).toBe('admin (root)')
  })

  it('refuses missing, expired, foreign, mis-addressed and garbage credentials with 401', async () => {
    const cases = [
      undefined,
      'Basic dXNlcjpwYXNz',
      `Bearer ${await sign({ sub: 'u-1' }, { expiresIn: Math.floor(Date.now() / 1000) - 60 })}`,
      `Bearer ${await foreignSign({ sub: 'u-1' })}`,
      `Bearer ${await sign({ sub: 'u-1' }, { audience: 'someone-else' })}`,
      `Bearer ${await sign({ sub: 'u-1' }, { issuer: 'https://evil.example' })}`,
      'Bearer aaa.bbb.ccc',
      'Bearer bnd_unknown',
    ]
    for (const header of cases) {
      const error = await refusal(authenticator.authenticate(header))
      expect(error, header).toBeInstanceOf(StaffUnauthenticatedError)
      expect((error as StaffUnauthenticatedError).statusCode).toBe(401)
    }
    expect(((await refusal(authenticator.authenticate(cases[2]))) as Error).message).toContain('scaduto')
  })

  it('accepts API tokens with their one grant, and only them without an issuer', async () => {
    const principal = await authenticator.authenticate('Bearer bnd_cms-token')
    expect(principal).toMatchObject({ subject: 'token:t-1', via: 'api-token', actor: 'token:cms@corbetta.example', holder: 'cms@corbetta.example', tokenId: 't-1' })
    expect(principal.grants).toEqual([{ tenant: 'corbetta', role: 'operator' }])
    const tokensOnly = createStaffAuthenticator({ apiTokens: async () => undefined })
    expect(await refusal(tokensOnly.authenticate(`Bearer ${await sign({ sub: 'u-1' })}`))).toBeInstanceOf(StaffUnauthenticatedError)
  })

  it('refuses a role or tenant the grants do not give with an Italian 403', async () => {
    const principal = await authenticator.authenticate(`Bearer ${await sign({ sub: 'u-2', name: 'Luca', banditore_roles: ['corbetta:desk'] })}`)
    const error = (() => {
      try {
        assertStaffRole(principal, 'corbetta', ['privacy-officer', 'admin'])
      } catch (e) {
        return e
      }
    })()
    expect(error).toBeInstanceOf(StaffForbiddenError)
    expect((error as StaffForbiddenError).message).toBe('questa azione per il comune corbetta richiede il ruolo responsabile privacy o amministratore; hai il ruolo sportello')
    expect(() => assertStaffRole(principal, 'ancona', ['desk'])).toThrow('non hai ruoli per questo comune')
  })

  it('reads grants from strings, arrays and role maps; refuses a tenant-less non-admin grant', () => {
    expect(parseGrant('*:operator')).toBeUndefined()
    expect(parseGrant('*:admin')).toEqual({ tenant: '*', role: 'admin' })
    expect(grantsOfClaim('corbetta:operator ancona:desk')).toHaveLength(2)
    expect(grantsOfClaim(['Corbetta Operators'], { 'Corbetta Operators': ['corbetta:operator', 'corbetta:approver'] })).toHaveLength(2)
    expect(grantsOfClaim(42)).toEqual([])
  })
})
