import { createHash, randomBytes } from 'node:crypto'

export interface SignInOptions {
  issuer: string
  clientId: string
  /** Confidential clients; public clients omit it. */
  clientSecret?: string
  redirectUri: string
  username: string
  password: string
  scope?: string
}

export interface SignInTokens {
  access_token: string
  id_token?: string
  refresh_token?: string
  expires_in: number
  token_type: string
  scope?: string
}

/** The login page answered again: wrong username or password. */
export class SignInRefusedError extends Error {
  readonly code = 'SIGN_IN_REFUSED'
  constructor(message: string) {
    super(message)
    this.name = 'SignInRefusedError'
  }
}

/** Cookies per origin, as a browser keeps them for this flow (names and values; paths ignored). */
class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>()
  store(url: URL, response: Response): void {
    const jar = this.cookies.get(url.origin) ?? new Map<string, string>()
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';')
      const at = pair!.indexOf('=')
      const name = pair!.slice(0, at).trim()
      const value = pair!.slice(at + 1).trim()
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === '') jar.delete(name)
      else jar.set(name, value)
    }
    this.cookies.set(url.origin, jar)
  }
  header(url: URL): string {
    return [...(this.cookies.get(url.origin) ?? new Map<string, string>())].map(([n, v]) => `${n}=${v}`).join('; ')
  }
}

const FORM_ACTION = /<form[^>]*method="post"[^>]*action="([^"]+)"/gi
const decodeHtml = (text: string) => text.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')

/**
 * Signs a seeded account in through the REAL authorization code flow with PKCE, over HTTP as a
 * browser would (redirects followed by hand, cookies kept, the login form submitted, a consent
 * page confirmed), then redeems the code at the token endpoint. For tests only.
 */
export async function signInForAccessToken(options: SignInOptions): Promise<SignInTokens> {
  const discovery = (await (await fetch(`${options.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string
    token_endpoint: string
  }
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const state = randomBytes(16).toString('base64url')
  const authorize = new URL(discovery.authorization_endpoint)
  authorize.search = new URLSearchParams({
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid profile email offline_access',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
    nonce: randomBytes(16).toString('base64url'),
  }).toString()

  const jar = new CookieJar()
  const request = async (url: URL, init: { method?: string; form?: URLSearchParams } = {}) => {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(url), ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      ...(init.form ? { body: init.form.toString() } : {}),
    })
    jar.store(url, response)
    return response
  }

  let url = authorize
  let response = await request(url)
  let loginSubmitted = false
  for (let step = 0; step < 20; step++) {
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      url = new URL(location, url)
      if (url.href.startsWith(options.redirectUri)) return await redeem(url)
      response = await request(url)
      continue
    }
    const html = await response.text()
    if (response.status !== 200) throw new Error(`sign-in stopped at ${url.pathname} with HTTP ${response.status}: ${html.slice(0, 300)}`)
    const actions = [...html.matchAll(FORM_ACTION)].map((m) => decodeHtml(m[1]!))
    const login = actions.find((a) => a.endsWith('/login'))
    if (login) {
      if (loginSubmitted) throw new SignInRefusedError(`the provider refused ${options.username}`)
      loginSubmitted = true
      url = new URL(login, url)
      response = await request(url, { method: 'POST', form: new URLSearchParams({ username: options.username, password: options.password }) })
      continue
    }
    const confirm = actions.find((a) => a.endsWith('/confirm'))
    if (!confirm) throw new Error(`sign-in stopped at ${url.pathname}: no form to submit`)
    url = new URL(confirm, url)
    response = await request(url, { method: 'POST', form: new URLSearchParams() })
  }
  throw new Error('sign-in did not reach the redirect URI')

  async function redeem(callback: URL): Promise<SignInTokens> {
    if (callback.searchParams.get('state') !== state) throw new Error('sign-in returned another state')
    const code = callback.searchParams.get('code')
    if (!code) throw new Error(`sign-in returned no code: ${callback.searchParams.get('error')} ${callback.searchParams.get('error_description') ?? ''}`)
    const body = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, code_verifier: verifier })
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' }
    if (options.clientSecret) {
      headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(options.clientId)}:${encodeURIComponent(options.clientSecret)}`).toString('base64')}`
    } else body.set('client_id', options.clientId)
    const response = await fetch(discovery.token_endpoint, { method: 'POST', headers, body: body.toString() })
    const tokens = (await response.json()) as SignInTokens & { error?: string; error_description?: string }
    if (!response.ok) throw new Error(`token request refused: ${tokens.error} ${tokens.error_description ?? ''}`)
    return tokens
  }
}
