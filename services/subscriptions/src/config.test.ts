import { ConfigError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

const KEY = 'k'.repeat(32)

describe('loadConfig', () => {
  it('applies defaults and parses staff tokens', () => {
    const config = loadConfig({ SUBSCRIBER_HASH_KEY: KEY, STAFF_TOKENS: 'urp-1:ancona:abcdefghijklmnopqrstuvwx, admin:*:ABCDEFGHIJKLMNOPQRSTUVWXYZ012' })
    expect(config.PORT).toBe(3003)
    expect(config.DESK_RETENTION_DAYS).toBe(90)
    expect(config.STAFF_TOKENS).toEqual([
      { staffId: 'urp-1', tenant: 'ancona', token: 'abcdefghijklmnopqrstuvwx' },
      { staffId: 'admin', tenant: '*', token: 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012' },
    ])
    expect(loadConfig({ SUBSCRIBER_HASH_KEY: KEY }).STAFF_TOKENS).toEqual([])
  })

  it('requires the hash key, without echoing secrets', () => {
    expect(() => loadConfig({})).toThrow(new ConfigError('SUBSCRIBER_HASH_KEY', 'is required but not set'))
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: 'short' })).toThrow(/^SUBSCRIBER_HASH_KEY /)
    expect(() => loadConfig({ SUBSCRIBER_HASH_KEY: 'short' })).not.toThrow(/short/)
  })

  it('refuses a malformed or short staff token, naming only its position', () => {
    const attempt = () => loadConfig({ SUBSCRIBER_HASH_KEY: KEY, STAFF_TOKENS: 'a:ancona:abcdefghijklmnopqrstuvwx,b:ancona:tooshort' })
    expect(attempt).toThrow(ConfigError)
    expect(attempt).toThrow(/STAFF_TOKENS entry 2 must be/)
    expect(attempt).not.toThrow(/tooshort/)
  })
})
