import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Tenant } from '@banditore/contracts'
import type { Logger } from '@banditore/platform'
import Provider, { errors, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider'
import { consentPage, errorPage, loggedOutPage, loginPage, logoutPage } from './interaction-pages.js'
import { seedStaffAccounts, type StaffAccount } from './staff-accounts.js'

/** The audience (and `aud`) of staff access tokens: every Banditore service verifies it. */
export const STAFF_AUDIENCE = 'banditore'
/** The resource indicator the console's tokens are issued for. */
export const STAFF_RESOURCE = 'urn:banditore:staff-api'
export const ROLES_CLAIM = 'banditore_roles'
const ACCESS_TOKEN_TTL_SECONDS = 600

/** A client of the provider (the console; tests register their own). */
export interface IdentityProviderClient {
  clientId: string
  /** Confidential clients authenticate at the token endpoint; without it the client is public. */
  clientSecret?: string
  redirectUris: string[]
  postLogoutRedirectUris?: string[]
  /** Shown on the login page. */
  name?: string
  /** First-party clients (Banditore's own) get no consent page. Default true. */
  firstParty?: boolean
  /** Lifetime of this client's access tokens, seconds (default 600; tests shorten it). */
  accessTokenTtlSeconds?: number
}

export interface IdentityProviderOptions {
  tenants: readonly Tenant[]
  /** The one password of every seeded account. */
  password: string
  clients: readonly IdentityProviderClient[]
  /** Default 0: an ephemeral port. */
  port?: number
  host?: string
  /** Default `http://<host>:<port>`. */
  issuer?: string
  logger?: Logger
}

export interface RunningIdentityProvider {
  issuer: string
  accounts: readonly StaffAccount[]
  stop(): Promise<void>
}

const ITALIAN_ERRORS: Record<string, string> = {
  invalid_request: 'la richiesta non è valida',
  invalid_client: "l'applicazione non è registrata",
  invalid_redirect_uri: "l'indirizzo di ritorno non è registrato per l'applicazione",
  access_denied: 'accesso negato',
  session_not_found: 'la sessione è scaduta: ricominciare dall’applicazione',
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
  res.end(html)
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > 16_384) throw new Error('form too large')
    chunks.push(chunk)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

/**
 * A real OpenID Connect provider for the local platform and the tests (oidc-provider): the
 * authorization code flow with PKCE (S256) only, confidential clients, refresh tokens, JWT access
 * tokens for `banditore` carrying the roles claim. Signing keys are generated at start and kept
 * for the life of the process. Never deployed: municipalities bring their own (Keycloak, Entra ID).
 */
export async function startIdentityProvider(options: IdentityProviderOptions): Promise<RunningIdentityProvider> {
  const host = options.host ?? '127.0.0.1'
  const accounts = seedStaffAccounts(options.tenants)
  const byUsername = new Map(accounts.map((a) => [a.username, a]))
  const clients = new Map(options.clients.map((c) => [c.clientId, c]))

  // The issuer names the port, so the provider exists only once the server listens.
  const started: { provider?: Provider } = {}
  const server: Server = createServer((req, res) => {
    const provider = started.provider
    if (!provider) return send(res, 503, errorPage('il servizio sta partendo'))
    const url = new URL(req.url ?? '/', 'http://local')
    if (url.pathname.startsWith('/interaction/')) {
      handleInteraction(provider, req, res, url).catch((error: unknown) => {
        options.logger?.warn({ err: error }, 'interaction failed')
        if (!res.headersSent) send(res, 400, errorPage(ITALIAN_ERRORS.session_not_found!))
      })
      return
    }
    provider.callback()(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const issuer = options.issuer ?? `http://${host}:${port}`

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: `banditore-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' }

  const claimsOf = (account: StaffAccount) => {
    const [given, ...family] = account.name.split(' ')
    return {
      sub: account.username,
      name: account.name,
      given_name: given,
      family_name: family.join(' '),
      preferred_username: account.username,
      email: account.email,
      email_verified: true,
      [ROLES_CLAIM]: account.roles,
    }
  }

  const configuration: Configuration = {
    clients: options.clients.map(
      (c): ClientMetadata => ({
        client_id: c.clientId,
        ...(c.clientSecret ? { client_secret: c.clientSecret, token_endpoint_auth_method: 'client_secret_basic' } : { token_endpoint_auth_method: 'none' }),
        redirect_uris: c.redirectUris,
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        ...(c.name ? { client_name: c.name } : {}),
      }),
    ),
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    claims: {
      openid: ['sub'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', ROLES_CLAIM],
      email: ['email', 'email_verified'],
      [ROLES_CLAIM]: [ROLES_CLAIM],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email', ROLES_CLAIM],
    // Roles in the ID token as well (the console reads them there).
    conformIdTokenClaims: false,
    async findAccount(_ctx, sub) {
      const account = byUsername.get(sub)
      if (!account) return undefined
      return { accountId: sub, claims: () => claimsOf(account) }
    },
    async extraTokenClaims(_ctx, token) {
      const account = 'accountId' in token && token.accountId ? byUsername.get(token.accountId) : undefined
      if (!account) return undefined
      const { name, email, preferred_username } = claimsOf(account)
      return { name, email, preferred_username, [ROLES_CLAIM]: account.roles }
    },
    // The console refreshes without asking people for offline access.
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (_ctx, _token, client) => clients.get(client.clientId)?.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 8 * 3600,
      Interaction: 3600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => void (ctx.body = logoutPage(form)),
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => void (ctx.body = loggedOutPage()),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => STAFF_RESOURCE,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => {
          if (resource !== STAFF_RESOURCE) throw new errors.InvalidTarget()
          const ttl = clients.get(client.clientId)?.accessTokenTtlSeconds ?? ACCESS_TOKEN_TTL_SECONDS
          return { audience: STAFF_AUDIENCE, scope: 'openid profile email', accessTokenFormat: 'jwt', accessTokenTTL: ttl, jwt: { sign: { alg: 'RS256' } } }
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // First-party clients are granted what they ask for: no consent page.
    async loadExistingGrant(ctx) {
      const { client, session } = ctx.oidc
      if (!client || !session?.accountId) return undefined
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId)
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined
      if (clients.get(client.clientId)?.firstParty === false) return existing
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId })
      const requested = [...(ctx.oidc.requestParamScopes ?? [])].join(' ')
      grant.addOIDCScope(requested || 'openid')
      grant.addResourceScope(STAFF_RESOURCE, 'openid profile email')
      await grant.save()
      return grant
    },
    async renderError(ctx, out) {
      ctx.type = 'html'
      ctx.body = errorPage(ITALIAN_ERRORS[out.error] ?? `${out.error}: ${out.error_description ?? ''}`)
    },
  }

  const provider = new Provider(issuer, configuration)
  // Local use over plain http on 127.0.0.1, no proxy in front.
  provider.proxy = false
  started.provider = provider
  provider.on('server_error', (_ctx, error) => options.logger?.error({ err: error }, 'identity provider error'))

  return {
    issuer,
    accounts,
    async stop() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }

  async function handleInteraction(provider: Provider, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const details = await provider.interactionDetails(req, res)
    const base = `/interaction/${details.uid}`
    const client = clients.get(String(details.params.client_id))
    const clientName = client?.name ?? 'Banditore'
    if (req.method === 'GET' && url.pathname === base) {
      if (details.prompt.name === 'login') return send(res, 200, loginPage({ action: `${base}/login`, clientName }))
      const scopes = String(details.params.scope ?? '').split(' ').filter(Boolean)
      return send(res, 200, consentPage({ action: `${base}/confirm`, abortAction: `${base}/abort`, clientName, scopes }))
    }
    if (req.method !== 'POST') return send(res, 405, errorPage('metodo non consentito'))
    if (url.pathname === `${base}/login`) {
      const form = await formOf(req)
      const username = (form.get('username') ?? '').trim().toLowerCase()
      const account = byUsername.get(username)
      if (!account || form.get('password') !== options.password) {
        return send(res, 200, loginPage({ action: `${base}/login`, clientName, username, error: 'Nome utente o password non corretti.' }))
      }
      return await provider.interactionFinished(req, res, { login: { accountId: account.username } }, { mergeWithLastSubmission: false })
    }
    if (url.pathname === `${base}/confirm`) {
      const accountId = details.session?.accountId
      if (!accountId) return send(res, 400, errorPage(ITALIAN_ERRORS.session_not_found!))
      const grant = details.grantId
        ? ((await provider.Grant.find(details.grantId)) ?? new provider.Grant({ accountId, clientId: String(details.params.client_id) }))
        : new provider.Grant({ accountId, clientId: String(details.params.client_id) })
      grant.addOIDCScope(String(details.params.scope ?? 'openid'))
      grant.addResourceScope(STAFF_RESOURCE, 'openid profile email')
      const grantId = await grant.save()
      return await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
    }
    if (url.pathname === `${base}/abort`) {
      return await provider.interactionFinished(req, res, { error: 'access_denied', error_description: "l'utente ha annullato" }, { mergeWithLastSubmission: false })
    }
    send(res, 404, errorPage('pagina inesistente'))
  }
}
