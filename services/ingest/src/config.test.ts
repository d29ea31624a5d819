import { ConfigError } from '@banditore/platform'
import { describe, expect, it } from 'vitest'
import { loadConfig } from './config.js'

describe('loadConfig', () => {
  it('runs on defaults alone', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({ PORT: 3001, TRUST_PROXY: false, SIGNUP_LIMIT_PER_NUMBER: 3, RECEIVED_RETENTION_DAYS: 30 })
    expect(config.PUBLIC_BASE_URL).toBeUndefined()
    expect(config.PAPER_FORM_TOKENS).toBeUndefined()
  })

  it('reads typed values', () => {
    const config = loadConfig({ PORT: '8080', TRUST_PROXY: 'true', PUBLIC_BASE_URL: 'https://ingest.comune.example.it', PAPER_FORM_TOKENS: 'anna:0123456789abcdef0123' })
    expect(config).toMatchObject({ PORT: 8080, TRUST_PROXY: true, PUBLIC_BASE_URL: 'https://ingest.comune.example.it' })
  })

  it.each([
    ['PORT', 'abc'],
    ['PUBLIC_BASE_URL', 'https://ingest.example.org/webhooks'],
    ['PAPER_FORM_TOKENS', 'anna:short'],
    ['PAPER_FORM_TOKENS', 'no-colon-0123456789abcdef'],
    ['RECEIVED_RETENTION_DAYS', '3'],
    ['WHATSAPP_VERIFY_TOKEN', 'short'],
  ])('names %s when it is invalid (%s)', (variable, value) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError)
    expect(() => loadConfig({ [variable]: value })).toThrow(new RegExp(`^${variable} `))
  })

  it('never repeats a token in its error', () => {
    expect(() => loadConfig({ PAPER_FORM_TOKENS: 'anna:short' })).not.toThrow(/short/)
  })
})
