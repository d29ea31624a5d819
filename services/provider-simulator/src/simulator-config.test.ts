import { describe, expect, it } from 'vitest'
import { loadSimulatorConfig, resolveSimulatorOptions, SimulatorConfigError } from './simulator-config.js'

const senders = {
  whatsapp: [{ phoneNumberId: '106540352242922', displayPhoneNumber: '+390306781234', accessToken: 't', webhookUrl: 'http://ingest:3000/webhooks/whatsapp' }],
  twilio: [{ accountSid: 'AC1', authToken: 'tok', numbers: [{ number: '+390306785555', smsUrl: 'http://ingest:3000/webhooks/sms' }] }],
}

describe('loadSimulatorConfig', () => {
  it('reads the environment, with defaults for what is left out', () => {
    const config = loadSimulatorConfig({
      SIM_PORT: '4010',
      SIM_SENDERS: JSON.stringify(senders),
      SIM_DEFAULT_MPS: '250',
      SIM_PAIR_RATE_PER_SECOND: '0.17',
      SIM_WHATSAPP_STATUSES: 'sent, delivered',
      SIM_ENFORCE_SERVICE_WINDOW: 'true',
    })
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 4010,
      defaultThroughputPerSecond: 250,
      pairRatePerSecond: 0.17,
      pairBurst: 45,
      whatsappStatuses: ['sent', 'delivered'],
      smsStatuses: ['sent', 'delivered'],
      enforceServiceWindow: true,
      whatsappAppSecret: 'simulator-app-secret',
      callbackConcurrency: 64,
    })
    expect(config.whatsapp[0]?.phoneNumberId).toBe('106540352242922')
    expect(config.twilio[0]?.numbers[0]?.number).toBe('+390306785555')
  })

  it("defaults to production's behaviour: the 24-hour window and Meta's pair rate are enforced", () => {
    expect(loadSimulatorConfig({})).toMatchObject({ enforceServiceWindow: true, pairRatePerSecond: 1 / 6, pairBurst: 45 })
    expect(resolveSimulatorOptions({})).toMatchObject({ enforceServiceWindow: true, pairRatePerSecond: 1 / 6, pairBurst: 45 })
  })

  it('turns the pair rate limit off only when asked', () => {
    expect(loadSimulatorConfig({ SIM_PAIR_RATE_PER_SECOND: 'off' }).pairRatePerSecond).toBeNull()
    expect(resolveSimulatorOptions({ pairRatePerSecond: null }).pairRatePerSecond).toBeNull()
    expect(loadSimulatorConfig({ SIM_ENFORCE_SERVICE_WINDOW: 'false' }).enforceServiceWindow).toBe(false)
  })

  it('starts with no senders when SIM_SENDERS is absent', () => {
    expect(loadSimulatorConfig({})).toMatchObject({ whatsapp: [], twilio: [], port: 4010 })
  })

  it.each([
    [{ SIM_SENDERS: '{not json' }, 'SIM_SENDERS is not valid JSON'],
    [{ SIM_PORT: 'eighty' }, 'SIM_PORT must be a number'],
    [{ SIM_ENFORCE_SERVICE_WINDOW: 'yes' }, 'SIM_ENFORCE_SERVICE_WINDOW must be true or false'],
    [{ SIM_SENDERS: JSON.stringify({ whatsapp: [{ phoneNumberId: 'x', displayPhoneNumber: '0306781234', accessToken: 't' }] }) }, '/whatsapp/0/displayPhoneNumber'],
    [{ SIM_DEFAULT_MPS: '0' }, '/defaultThroughputPerSecond'],
    [{ SIM_WHATSAPP_STATUSES: 'sent,bounced' }, '/whatsappStatuses/1'],
    [{ SIM_TIME_SCALE: '0' }, 'SIM_TIME_SCALE must be a positive number'],
    [{ SIM_TIME_SCALE: '-3600' }, 'SIM_TIME_SCALE must be a positive number'],
    [{ SIM_TIME_SCALE: 'fast' }, 'SIM_TIME_SCALE must be a number'],
    [{ SIM_CALLBACK_MAX_RETRYING: '0' }, '/callbackMaxRetrying'],
  ])('refuses %j naming the problem', (env, problem) => {
    try {
      loadSimulatorConfig(env)
      expect.unreachable('bad config accepted')
    } catch (error) {
      expect(error).toBeInstanceOf(SimulatorConfigError)
      expect((error as SimulatorConfigError).code).toBe('INVALID_SIMULATOR_CONFIG')
      expect((error as Error).message).toContain(problem)
    }
  })

  it("retries webhooks on the providers' schedules in real time unless told otherwise", () => {
    const defaults = loadSimulatorConfig({})
    expect(defaults).toMatchObject({ timeScale: 1, callbackMaxRetrying: 100_000 })
    expect(defaults.callbackMaxAttempts).toBeUndefined()
    expect(loadSimulatorConfig({ SIM_TIME_SCALE: '3600', SIM_CALLBACK_MAX_ATTEMPTS: '14' })).toMatchObject({ timeScale: 3600, callbackMaxAttempts: 14 })
    expect(resolveSimulatorOptions({ timeScale: 0.5 }).timeScale).toBe(0.5)
    expect(() => resolveSimulatorOptions({ timeScale: 0 })).toThrow(/\/timeScale/)
  })

  it('resolves library options the same way', () => {
    expect(resolveSimulatorOptions({ port: 5000 })).toMatchObject({ host: '127.0.0.1', port: 5000, statusDelayMs: 5 })
    expect(() => resolveSimulatorOptions({ statusDelayMs: -1 })).toThrow(SimulatorConfigError)
  })
})
