import { decodeJwt } from 'jose'
import * as oidc from 'openid-client'
import type { StaffGrant } from './session.table.js'

/** Where a person stands after the provider answered: who, with which roles, and the tokens. */
export interface SignedInPerson {
  subject: string
  name: string
  email: string | null
  grants: StaffGrant[]
  tokens: ProviderTokens
}

export interface ProviderTokens {
  accessToken: string
  accessTokenExpiresAt: Date | null
  refreshToken: string | null
  idToken: string | null
}

/** What the browser must carry from /auth/login to /auth/callback (sealed in a short-lived cookie). */
export interface PendingSignIn {
  state: string
  nonce: string
  codeVerifier: string
  returnTo: string
}

export class SignInError extends Error {
  readonly code = 'SIGN_IN_FAILED'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'SignInError'
  }
}

export interface IdentityProviderClientOptions {
  issuer: string
  clientId: string
  clientSecret: string
  redirectUri: string
  /** Where the provider sends the browser after sign-out (registered at the provider). */
  postLogoutRedirectUri: string
  scopes: string
  /** Claim carrying `tenant:role` strings (a role without tenant, or tenant `*`, is platform-wide). */
  rolesClaim?: string
  /** Resource indicator (RFC 8707) asked for, when the provider needs one to issue JWT access tokens. */
  resource?: string
}

export interface IdentityProviderClient {
  /** Discovers the provider (cached; retried after a failure): the readiness probe. */
  ready(): Promise<void>
  beginSignIn(returnTo: string): Promise<{ url: URL; pending: PendingSignIn }>
  finishSignIn(callbackUrl: URL, pending: PendingSignIn): Promise<SignedInPerson>
  refresh(refreshToken: string): Promise<ProviderTokens>
  /** The provider's RP-initiated logout URL, when it offers one. */
  endSessionUrl(idToken: string | null): Promise<string | undefined>
}

export const DEFAULT_ROLES_CLAIM = 'banditore_roles'

/** `["corbetta:operator", "admin", "*:admin"]` → grants; anything else is ignored (the APIs check grants themselves). */
export function grantsFromClaim(value: unknown): StaffGrant[] {
  if (!Array.isArray(value)) return typeof value === 'string' ? grantsFromClaim(value.split(/[\s,]+/)) : []
  const grants: StaffGrant[] = []
  for (const entry of value) {
    if (typeof entry !== 'string' || entry.trim() === '') continue
    const text = entry.trim()
    const colon = text.lastIndexOf(':')
    const grant = colon < 0 ? { tenant: '*', role: text } : { tenant: text.slice(0, colon), role: text.slice(colon + 1) }
    if (!/^[a-z][a-z-]*$/.test(grant.role)) continue
    // Only admins are platform-wide (`*`, or a bare `admin`); other roles belong to one tenant.
    if (grant.tenant === '*' ? grant.role !== 'admin' : !/^[a-z0-9][a-z0-9-]*$/.test(grant.tenant)) continue
    if (!grants.some((g) => g.tenant === grant.tenant && g.role === grant.role)) grants.push(grant)
  }
  return grants
}

function tokensOf(response: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers, previous?: ProviderTokens): ProviderTokens {
  const expiresIn = response.expiresIn()
  let expiresAt = expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000)
  if (!expiresAt) {
    try {
      const exp = decodeJwt(response.access_token).exp
      if (exp) expiresAt = new Date(exp * 1000)
    } catch {
      // An opaque access token without expires_in: used until the API refuses it.
    }
  }
  return {
    accessToken: response.access_token,
    accessTokenExpiresAt: expiresAt,
    // Providers that do not rotate refresh tokens answer a refresh without one: keep the old.
    refreshToken: response.refresh_token ?? previous?.refreshToken ?? null,
    idToken: response.id_token ?? previous?.idToken ?? null,
  }
}

function claimsOfAccessToken(accessToken: string): Record<string, unknown> {
  try {
    return decodeJwt(accessToken)
  } catch {
    return {}
  }
}

export function createIdentityProviderClient(options: IdentityProviderClientOptions): IdentityProviderClient {
  const rolesClaim = options.rolesClaim ?? DEFAULT_ROLES_CLAIM
  const extra: Record<string, string> = options.resource ? { resource: options.resource } : {}
  let discovered: Promise<oidc.Configuration> | undefined

  const configuration = () => {
    discovered ??= oidc
      .discovery(new URL(options.issuer), options.clientId, { redirect_uris: [options.redirectUri] }, oidc.ClientSecretBasic(options.clientSecret), {
        // The local identity provider and the tests speak plain http on loopback.
        ...(new URL(options.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
        timeout: 5,
      })
      .catch((error: unknown) => {
        discovered = undefined
        throw error
      })
    return discovered
  }

  return {
    async ready() {
      await configuration()
    },

    async beginSignIn(returnTo) {
      const config = await configuration()
      const pending: PendingSignIn = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), returnTo }
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: options.redirectUri,
        scope: options.scopes,
        response_type: 'code',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce,
        ...extra,
      })
      return { url, pending }
    },

    async finishSignIn(callbackUrl, pending) {
      const config = await configuration()
      let response: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>
      try {
        response = await oidc.authorizationCodeGrant(
          config,
          callbackUrl,
          { pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce, idTokenExpected: true },
          extra,
        )
      } catch (error) {
        throw new SignInError('the provider did not complete the sign-in', { cause: error })
      }
      const idClaims = (response.claims() ?? {}) as Record<string, unknown>
      const accessClaims = claimsOfAccessToken(response.access_token)
      const subject = String(idClaims.sub ?? '')
      if (!subject) throw new SignInError('the ID token names no subject')
      const roles = idClaims[rolesClaim] ?? accessClaims[rolesClaim]
      const text = (key: string) => (typeof idClaims[key] === 'string' ? (idClaims[key] as string) : typeof accessClaims[key] === 'string' ? (accessClaims[key] as string) : undefined)
      return {
        subject,
        name: text('name') ?? text('preferred_username') ?? subject,
        email: text('email') ?? null,
        grants: grantsFromClaim(roles),
        tokens: tokensOf(response),
      }
    },

    async refresh(refreshToken) {
      const config = await configuration()
      try {
        return tokensOf(await oidc.refreshTokenGrant(config, refreshToken, extra), { accessToken: '', accessTokenExpiresAt: null, refreshToken, idToken: null })
      } catch (error) {
        throw new SignInError('the provider refused to refresh the session', { cause: error })
      }
    },

    async endSessionUrl(idToken) {
      const config = await configuration()
      if (!config.serverMetadata().end_session_endpoint) return undefined
      return oidc
        .buildEndSessionUrl(config, {
          client_id: options.clientId,
          post_logout_redirect_uri: options.postLogoutRedirectUri,
          ...(idToken ? { id_token_hint: idToken } : {}),
        })
        .toString()
    },
  }
}
