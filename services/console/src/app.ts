import { fileURLToPath } from 'node:url'
import fastifyCookie from '@fastify/cookie'
import { createServiceServer, pingDatabase, type Logger, type TenantDirectory } from '@banditore/platform'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import type { ConsoleConfig } from './config.js'
import { registerApiProxy } from './routes/api-proxy.routes.js'
import { registerAuthRoutes } from './routes/auth.routes.js'
import { registerWebApp } from './routes/web-app.routes.js'
import { createIdentityProviderClient, type IdentityProviderClient } from './session/identity-provider.client.js'
import { sessionCookies } from './session/session-cookies.js'
import { deriveSessionKeys } from './session/session-crypto.js'
import { createSessionStore } from './session/session-store.js'
import type { ConsoleDatabase } from './session/session.table.js'

/** Where `vite build` puts the SPA: services/console/dist/web, from src/ and from dist/ alike. */
export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../dist/web', import.meta.url))

export interface ConsoleDeps {
  logger: Logger
  /** The `console` schema (`pool.withSchema(SCHEMA)`). */
  db: Kysely<ConsoleDatabase>
  tenants: TenantDirectory
  /** Defaults to the provider at OIDC_ISSUER; tests may pass their own client. */
  provider?: IdentityProviderClient
  /** Defaults to DEFAULT_WEB_DIR. */
  webDir?: string
}

/** The console as a fastify instance, without a port: tests call `inject()` or `listen({ port: 0 })`. */
export async function buildApp(config: ConsoleConfig, deps: ConsoleDeps): Promise<FastifyInstance> {
  const provider =
    deps.provider ??
    createIdentityProviderClient({
      issuer: config.OIDC_ISSUER,
      clientId: config.OIDC_CLIENT_ID,
      clientSecret: config.OIDC_CLIENT_SECRET,
      redirectUri: `${config.PUBLIC_URL}/auth/callback`,
      postLogoutRedirectUri: `${config.PUBLIC_URL}/`,
      scopes: config.OIDC_SCOPES,
      ...(config.OIDC_RESOURCE ? { resource: config.OIDC_RESOURCE } : {}),
    })
  const app = createServiceServer({
    service: 'console',
    logger: deps.logger,
    readiness: {
      postgres: () => pingDatabase(deps.db),
      'identity-provider': () => provider.ready(),
    },
  })
  await app.register(fastifyCookie)

  const keys = deriveSessionKeys(config.SESSION_SECRET)
  const cookies = sessionCookies(config.COOKIE_SECURE)
  const sessions = createSessionStore({ db: deps.db, keys, provider, logger: deps.logger, idleMinutes: config.SESSION_IDLE_MINUTES })

  registerAuthRoutes(app, { provider, sessions, cookies, keys, tenants: deps.tenants, logger: deps.logger, publicUrl: config.PUBLIC_URL })
  registerApiProxy(app, {
    sessions,
    cookies,
    publicUrl: config.PUBLIC_URL,
    upstreams: { broadcast: config.BROADCAST_API_URL, subscriptions: config.SUBSCRIPTIONS_API_URL, moderation: config.MODERATION_API_URL },
  })
  await registerWebApp(app, { webDir: deps.webDir ?? DEFAULT_WEB_DIR, https: config.PUBLIC_URL.startsWith('https:') })
  return app
}
