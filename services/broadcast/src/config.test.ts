import { ConfigError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

describe('broadcast config', () => {
  it('has defaults for a local stack', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ PORT: 3000, TEMPORAL_ADDRESS: '127.0.0.1:7233', TEMPORAL_TASK_QUEUE_BROADCAST: 'banditore-broadcast', OUTBOUND_CHECK_TIMEOUT_MS: 3000 })
    expect(config.BOOTSTRAP_ADMIN_TOKEN).toBeUndefined()
  })

  it('refuses a short bootstrap token without repeating it', () => {
    try {
      loadConfig({ BOOTSTRAP_ADMIN_TOKEN: 'short-secret' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).variable).toBe('BOOTSTRAP_ADMIN_TOKEN')
      expect(String(error)).not.toContain('short-secret')
    }
  })

  it('has quiet hours from 21:00 to 08:00 unless told otherwise', () => {
    expect(loadConfig({}).QUIET_HOURS_DEFAULT).toBe('21:00-08:00')
    expect(loadConfig({ QUIET_HOURS_DEFAULT: 'off' }).QUIET_HOURS_DEFAULT).toBe('off')
    expect(() => loadConfig({ QUIET_HOURS_DEFAULT: '21-8' })).toThrow(/^QUIET_HOURS_DEFAULT/)
  })

  it('refuses a Temporal address that is not host:port', () => {
    expect(() => loadConfig({ TEMPORAL_ADDRESS: 'http://temporal' })).toThrow(/^TEMPORAL_ADDRESS/)
  })
})
