import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { BaseEnvSchema } from './base-env.js'
import { ConfigError, parseEnv } from './config.js'

const Schema = Type.Object({
  ...BaseEnvSchema.properties,
  PORT: Type.Integer({ default: 3000, minimum: 0, maximum: 65535, description: 'HTTP port' }),
  META_APP_SECRET: Type.String({ minLength: 8, description: 'app secret' }),
})

describe('parseEnv', () => {
  it('applies defaults and converts strings to the declared types', () => {
    const config = parseEnv(Schema, { PORT: '8080', META_APP_SECRET: 'abcdefgh' })
    expect(config.PORT).toBe(8080)
    expect(config.NATS_URL).toBe('nats://127.0.0.1:4222')
    expect(config.LOG_LEVEL).toBe('info')
  })

  it('names a missing variable in one line', () => {
    expect(() => parseEnv(Schema, {})).toThrow(new ConfigError('META_APP_SECRET', 'is required but not set'))
  })

  it('names an invalid variable with the value and what it is for', () => {
    expect(() => parseEnv(Schema, { META_APP_SECRET: 'abcdefgh', PORT: 'eighty' })).toThrow(
      'PORT must be integer (got "eighty"): HTTP port',
    )
  })

  it('lists the allowed values of an enumerated variable', () => {
    expect(() => parseEnv(Schema, { META_APP_SECRET: 'abcdefgh', LOG_LEVEL: 'loud' })).toThrow(
      /^LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent \(got "loud"\)/,
    )
  })

  it('never repeats a secret value in the error', () => {
    try {
      parseEnv(Schema, { META_APP_SECRET: 'short' })
      expect.unreachable()
    } catch (error) {
      expect(String(error)).toContain('META_APP_SECRET')
      expect(String(error)).not.toContain('short')
      expect(String(error).split('\n')).toHaveLength(1)
    }
  })
})
