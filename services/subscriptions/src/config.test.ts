import { ConfigError, oidcVerificationOf } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const KEY = 'k'.repeat(32)

describe('loadConfig', () => {
  it('applies defaults; staff sign-in is off without an issuer', () => {
    const config = loadConfig({ SUBSCRIBER_HASH_KEY: KEY })
    expect(config.PORT).toBe(3003)
    expect(config.DESK_RETENTION_DAYS).toBe(90)
    expect(config.OIDC_AUDIENCE).toBe('banditore')
    expect(oidcVerificationOf(config)).toBeUndefined()
  })

  it('reads the OpenID settings and the role map', () => {
    const config = loadConfig({
      SUBSCRIBER_HASH_KEY: KEY,
      OIDC_ISSUER: 'https://login.comune.example/realms/staff',
      OIDC_ROLES_CLAIM: 'groups',
      OIDC_ROLE_MAP: '{"/urp": "ancona:desk", "/privacy": ["ancona:privacy-officer"]}',
    })
    expect(oidcVerificationOf(config)).toEqual({
      issuer: 'https://login.comune.example/realms/staff',
      audience: 'banditore',
      rolesClaim: 'groups',
      clockToleranceSeconds: 30,
      roleMap: { '/urp': 'ancona:desk', '/privacy': ['ancona:privacy-officer'] },
    })
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: KEY, OIDC_ISSUER: 'https://x.example', OIDC_ROLE_MAP: '[1]' })).toThrow(/^OIDC_ROLE_MAP /)
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: KEY, OIDC_ISSUER: 'ftp://x' })).toThrow(/^OIDC_ISSUER /)
  })

  it('requires the hash key, without echoing secrets', () => {
    expect(() => loadConfig({})).toThrow(new ConfigError('SUBSCRIBER_HASH_KEY', 'is required but not set'))
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: 'short' })).toThrow(/^SUBSCRIBER_HASH_KEY /)
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: 'short' })).not.toThrow(/short/)
  })
})
