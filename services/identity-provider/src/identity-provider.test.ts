import type { Tenant } from '@banditore/contracts'
import { createStaffAuthenticator } from '@banditore/platform'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startIdentityProvider, type RunningIdentityProvider } from './identity-provider.js'
import { signInForAccessToken, SignInRefusedError } from './testing/sign-in.js'

const tenants = [{ id: 'corbetta', name: 'Comune di Corbetta' }, { id: 'ancona', name: 'Comune di Ancona' }] as Tenant[]
const client = { clientId: 'console', clientSecret: 'console-secret-0123456789', redirectUris: ['http://127.0.0.1:9/callback'] }
let idp: RunningIdentityProvider

beforeAll(async () => {
  idp = await startIdentityProvider({ tenants, password: 'banditore-locale', clients: [client] })
})
afterAll(async () => idp?.stop())

const signIn = (username: string, password = 'banditore-locale') =>
  signInForAccessToken({ issuer: idp.issuer, clientId: client.clientId, clientSecret: client.clientSecret, redirectUri: client.redirectUris[0]!, username, password })

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>

describe('local identity provider', () => {
  it('seeds one account per tenant and role, and the platform admin', () => {
    expect(idp.accounts).toHaveLength(1 + 2 * 7)
    expect(idp.accounts.find((a) => a.username === 'operator.corbetta')).toEqual({
      username: 'operator.corbetta',
      name: 'Operatore Corbetta',
      email: 'operator.corbetta@banditore.local',
      roles: ['corbetta:operator'],
    })
    expect(idp.accounts[0]).toMatchObject({ username: 'admin', roles: ['*:admin'] })
  })

  it('signs a person in with code + PKCE and issues a JWT access token for banditore with the roles', async () => {
    const tokens = await signIn('civil-protection.ancona')
    expect(tokens.refresh_token).toBeTruthy()
    expect(tokens.expires_in).toBeLessThanOrEqual(600)
    const access = claimsOf(tokens.access_token)
    expect(access).toMatchObject({ iss: idp.issuer, aud: 'banditore', sub: 'civil-protection.ancona', banditore_roles: ['ancona:civil-protection'], name: 'Protezione civile Ancona' })
    expect(claimsOf(tokens.id_token!)).toMatchObject({ banditore_roles: ['ancona:civil-protection'], email: 'civil-protection.ancona@banditore.local' })

    const authenticator = createStaffAuthenticator({ oidc: { issuer: idp.issuer, audience: 'banditore', rolesClaim: 'banditore_roles' }, apiTokens: async () => undefined })
    const principal = await authenticator.authenticate(`Bearer ${tokens.access_token}`)
    expect(principal).toMatchObject({ via: 'person', actor: 'Protezione civile Ancona <civil-protection.ancona@banditore.local>' })
    expect(principal.hasRole('ancona', ['civil-protection'])).toBe(true)
  })

  it('refreshes, and refuses a wrong password on the login page', async () => {
    const tokens = await signIn('admin')
    const response = await fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }).toString(),
    })
    expect(response.status).toBe(200)
    expect(claimsOf(((await response.json()) as { access_token: string }).access_token)).toMatchObject({ aud: 'banditore', banditore_roles: ['*:admin'] })
    await expect(signIn('admin', 'wrong-password')).rejects.toBeInstanceOf(SignInRefusedError)
  })

  it('refuses an authorization request without PKCE', async () => {
    const url = new URL(`${idp.issuer}/auth`)
    url.search = new URLSearchParams({ client_id: client.clientId, redirect_uri: client.redirectUris[0]!, response_type: 'code', scope: 'openid' }).toString()
    const response = await fetch(url, { redirect: 'manual' })
    expect(response.headers.get('location')).toContain('error=invalid_request')
  })

  it('serves an Italian, labelled login page', async () => {
    const url = new URL(`${idp.issuer}/auth`)
    url.search = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: client.redirectUris[0]!,
      response_type: 'code',
      scope: 'openid',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString()
    const first = await fetch(url, { redirect: 'manual' })
    const page = await fetch(new URL(first.headers.get('location')!, idp.issuer), { headers: { cookie: first.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ') } })
    const html = await page.text()
    expect(html).toContain('<html lang="it">')
    expect(html).toMatch(/<h1>Accesso del personale<\/h1>/)
    expect(html).toContain('<label for="username">Nome utente</label>')
    expect(html).toContain('<label for="password">Password</label>')
  })
})
