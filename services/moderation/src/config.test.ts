import { ConfigError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

describe('loadConfig', () => {
  it('has defaults for a local run', () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3002,
      RULES_DIR: 'rules',
      TENANTS_DIR: 'tenants',
      RULESET_SOURCE: 'directory',
      RULES_DEBOUNCE_MS: 300,
      NATS_URL: 'nats://127.0.0.1:4222',
    })
  })

  it('converts and validates what the environment gives', () => {
    expect(loadConfig({ RULESET_SOURCE: 'kv', PORT: '4000', VIOLATION_MEMORY_DAYS: '30' })).toMatchObject({ RULESET_SOURCE: 'kv', PORT: 4000, VIOLATION_MEMORY_DAYS: 30 })
  })

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({ RULESET_SOURCE: 'git' })).toThrow(ConfigError)
    expect(() => loadConfig({ RULESET_SOURCE: 'git' })).toThrow(/RULESET_SOURCE must be one of directory, kv, none/)
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/^PORT /)
  })
})
