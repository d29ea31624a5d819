import { ConfigError, parseEnv } from '@banditore/platform'
import Type from 'typebox'
import type { IdentityProviderClient } from './identity-provider.js'

export const IdentityProviderConfigSchema = Type.Object({
  /** Minimum level logged. */
  LOG_LEVEL: Type.Union(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'log level' },
  ),
  /** Address the provider binds. */
  HOST: Type.String({ default: '127.0.0.1', description: 'address to bind' }),
  /** HTTP port of the provider. */
  IDP_PORT: Type.Integer({ default: 3200, minimum: 0, maximum: 65535, description: 'identity provider port' }),
  /** The issuer URL services verify (`OIDC_ISSUER` elsewhere); default http://127.0.0.1:<IDP_PORT>. */
  IDP_ISSUER: Type.Optional(Type.String({ pattern: '^https?://', description: 'issuer URL' })),
  /** Directory of tenant files: one account per tenant and role. */
  TENANTS_DIR: Type.String({ default: 'tenants', minLength: 1, description: 'tenant configuration directory' }),
  /** The password of every seeded account (local use only). */
  IDP_PASSWORD: Type.String({ default: 'banditore-locale', minLength: 8, description: 'password of the seeded accounts' }),
  /** JSON array of clients `{clientId, clientSecret?, redirectUris, postLogoutRedirectUris?, name?}`; replaces the console client below. */
  IDP_CLIENTS: Type.Optional(Type.String({ minLength: 2, description: 'clients as JSON' })),
  /** The console's client id. */
  IDP_CONSOLE_CLIENT_ID: Type.String({ default: 'banditore-console', minLength: 1, description: 'console client id' }),
  /** The console's client secret. */
  IDP_CONSOLE_CLIENT_SECRET: Type.String({ default: 'banditore-console-secret-locale', minLength: 16, description: 'console client secret' }),
  /** Comma-separated redirect URIs of the console. */
  IDP_CONSOLE_REDIRECT_URIS: Type.String({ default: 'http://127.0.0.1:3300/auth/callback', minLength: 1, description: 'console redirect URIs, comma-separated' }),
  /** Comma-separated post-logout redirect URIs of the console. */
  IDP_CONSOLE_POST_LOGOUT_REDIRECT_URIS: Type.String({ default: 'http://127.0.0.1:3300/', description: 'console post-logout redirect URIs, comma-separated' }),
})
type IdentityProviderEnv = Type.Static<typeof IdentityProviderConfigSchema>
export type IdentityProviderConfig = IdentityProviderEnv & { IDP_ISSUER: string; clients: IdentityProviderClient[] }

const list = (value: string) => value.split(',').map((v) => v.trim()).filter(Boolean)

function parseClients(raw: string): IdentityProviderClient[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (cause) {
    throw new ConfigError('IDP_CLIENTS', 'is not valid JSON', { cause })
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (c: Record<string, unknown>) =>
        c && typeof c.clientId === 'string' && Array.isArray(c.redirectUris) && c.redirectUris.every((u) => typeof u === 'string') && (c.clientSecret === undefined || typeof c.clientSecret === 'string'),
    )
  if (!valid) throw new ConfigError('IDP_CLIENTS', 'must be a JSON array of {clientId, clientSecret?, redirectUris: [...]}')
  return parsed as IdentityProviderClient[]
}

/** Pure: reads only the `env` it is given. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): IdentityProviderConfig {
  const parsed = parseEnv(IdentityProviderConfigSchema, env)
  const clients = parsed.IDP_CLIENTS
    ? parseClients(parsed.IDP_CLIENTS)
    : [
        {
          clientId: parsed.IDP_CONSOLE_CLIENT_ID,
          clientSecret: parsed.IDP_CONSOLE_CLIENT_SECRET,
          redirectUris: list(parsed.IDP_CONSOLE_REDIRECT_URIS),
          postLogoutRedirectUris: list(parsed.IDP_CONSOLE_POST_LOGOUT_REDIRECT_URIS),
          name: 'Console di Banditore',
        },
      ]
  return { ...parsed, IDP_ISSUER: parsed.IDP_ISSUER ?? `http://127.0.0.1:${parsed.IDP_PORT}`, clients }
}
