import { ConfigError, parseEnv } from '@banditore/platform'
import Type from 'typebox'

const httpUrl = { pattern: '^https?://[^/]+', minLength: 1 }

export const ConsoleConfigSchema = Type.Object({
  /** Minimum level logged: trace, debug, info, warn, error, fatal. */
  LOG_LEVEL: Type.Union(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'log level' },
  ),
  /** Address the HTTP server binds. */
  HOST: Type.String({ default: '127.0.0.1', description: 'address to bind' }),
  /** HTTP port of the console (web app, sign-in, API proxy, health and metrics). */
  PORT: Type.Integer({ default: 3300, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  /** The console's origin as staff's browsers see it: redirect URI and CSRF origin check derive from it. */
  PUBLIC_URL: Type.String({ default: 'http://127.0.0.1:3300', ...httpUrl, description: 'public origin of the console' }),
  /** The municipality's OpenID provider (Keycloak realm, Entra tenant, the local identity provider). */
  OIDC_ISSUER: Type.String({ default: 'http://127.0.0.1:3200', ...httpUrl, description: 'OpenID Connect issuer URL' }),
  /** The console's client at the provider (a confidential client). */
  OIDC_CLIENT_ID: Type.String({ default: 'banditore-console', minLength: 1, description: 'OpenID Connect client id' }),
  /** Its secret (never logged). */
  OIDC_CLIENT_SECRET: Type.String({ minLength: 1, description: 'OpenID Connect client secret' }),
  /** Scopes asked at sign-in; offline_access brings the refresh token. */
  OIDC_SCOPES: Type.String({ default: 'openid profile email offline_access', minLength: 6, description: 'OpenID Connect scopes' }),
  /** Resource indicator (RFC 8707) asked at sign-in, for providers that issue JWT access tokens per resource. */
  OIDC_RESOURCE: Type.Optional(Type.String({ minLength: 1, description: 'OpenID Connect resource indicator' })),
  /** Seals session ids and the tokens kept server-side; at least 32 characters, the same on every replica. */
  SESSION_SECRET: Type.String({ minLength: 32, description: 'session secret (at least 32 characters)' }),
  /** Minutes without a request after which a session ends. */
  SESSION_IDLE_MINUTES: Type.Number({ default: 30, exclusiveMinimum: 0, maximum: 24 * 60, description: 'idle timeout (minutes)' }),
  /** The broadcast service's staff API (broadcasts, emergencies, tokens). */
  BROADCAST_API_URL: Type.String({ default: 'http://127.0.0.1:3000', ...httpUrl, description: 'broadcast service URL' }),
  /** The subscriptions service's staff API (desk, privacy). */
  SUBSCRIPTIONS_API_URL: Type.String({ default: 'http://127.0.0.1:3003', ...httpUrl, description: 'subscriptions service URL' }),
  /** The moderation service (the policy editors' bench), reached as /api/moderation/*. */
  MODERATION_API_URL: Type.String({ default: 'http://127.0.0.1:3002', ...httpUrl, description: 'moderation service URL' }),
  /** PostgreSQL connection string; sessions live in schema `console`, shared by every replica. */
  DATABASE_URL: Type.String({
    default: 'postgres://postgres@127.0.0.1:5432/banditore',
    pattern: '^postgres(ql)?://',
    description: 'PostgreSQL connection URL',
  }),
  /** Directory of tenant files (tenants/<id>.json): names shown in the tenant switcher. */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** Secure cookies (`__Host-` prefix); false only for a console served on http://127.0.0.1. */
  COOKIE_SECURE: Type.Boolean({ default: true, description: 'secure session cookie' }),
})
export type ConsoleConfig = Type.Static<typeof ConsoleConfigSchema>

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): ConsoleConfig {
  const config = parseEnv(ConsoleConfigSchema, env)
  const publicUrl = new URL(config.PUBLIC_URL)
  // A session cookie without Secure may only travel over a loopback connection.
  if (!config.COOKIE_SECURE && (publicUrl.protocol !== 'http:' || !LOOPBACK.has(publicUrl.hostname))) {
    throw new ConfigError('COOKIE_SECURE', `may be false only for a console on http://127.0.0.1 (PUBLIC_URL is ${publicUrl.origin})`)
  }
  if (config.COOKIE_SECURE && publicUrl.protocol !== 'https:' && !LOOPBACK.has(publicUrl.hostname)) {
    throw new ConfigError('PUBLIC_URL', `must be https when cookies are secure (got ${publicUrl.origin})`)
  }
  return { ...config, PUBLIC_URL: publicUrl.origin }
}
