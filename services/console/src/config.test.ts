import { ConfigError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const SECRET = 'a-session-secret-of-at-least-32-characters'
const required = { OIDC_CLIENT_SECRET: 'client-secret', SESSION_SECRET: SECRET }

describe('console config', () => {
  it('has defaults for a local stack', () => {
    const config = loadConfig({ ...required, COOKIE_SECURE: 'false' })
    expect(config).toMatchObject({
      PORT: 3300,
      PUBLIC_URL: 'http://127.0.0.1:3300',
      OIDC_ISSUER: 'http://127.0.0.1:3200',
      SESSION_IDLE_MINUTES: 30,
      BROADCAST_API_URL: 'http://127.0.0.1:3000',
      SUBSCRIPTIONS_API_URL: 'http://127.0.0.1:3003',
      MODERATION_API_URL: 'http://127.0.0.1:3002',
      COOKIE_SECURE: false,
    })
  })

  it('cookies are secure unless told otherwise', () => {
    expect(loadConfig(required).COOKIE_SECURE).toBe(true)
  })

  it('refuses a short session secret without repeating it', () => {
    try {
      loadConfig({ ...required, SESSION_SECRET: 'too-short-secret' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe('SESSION_SECRET')
      expect(String(error)).not.toContain('too-short-secret')
    }
  })

  it('names a missing client secret', () => {
    expect(() => loadConfig({ SESSION_SECRET: SECRET })).toThrow(/^OIDC_CLIENT_SECRET is required/)
  })

  it('refuses insecure cookies on a public address', () => {
    expect(() => loadConfig({ ...required, COOKIE_SECURE: 'false', PUBLIC_URL: 'https://console.comune.example.it' })).toThrow(/^COOKIE_SECURE/)
  })

  it('refuses a plain-http public address with secure cookies', () => {
    expect(() => loadConfig({ ...required, PUBLIC_URL: 'http://console.comune.example.it' })).toThrow(/^PUBLIC_URL/)
  })

  it('keeps only the origin of the public URL and accepts fractional idle minutes', () => {
    const config = loadConfig({ ...required, PUBLIC_URL: 'https://console.comune.example.it/', SESSION_IDLE_MINUTES: '0.05' })
    expect(config.PUBLIC_URL).toBe('https://console.comune.example.it')
    expect(config.SESSION_IDLE_MINUTES).toBe(0.05)
  })
})
