import { ConfigError, startService } from '@banditore/platform'
import { afterEach, describe, expect, it } from 'vitest'
import { loadSimulatorServiceConfig, simulatorService } from './simulator-service.js'

describe('the simulator as a deployable', () => {
  const stops: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop()
  })

  it('starts from its SIM_* variables and answers its health route', async () => {
    const env = { SIM_HOST: '127.0.0.1', SIM_PORT: '0', SIM_LOG_LEVEL: 'silent', SIM_SENDERS: JSON.stringify({ whatsapp: [], twilio: [] }) }
    const started = await startService(simulatorService, env, { installSignals: false })
    stops.push(started.shutdown)
    const response = await started.http.inject({ method: 'GET', url: '/_sim/health' })
    expect(response.statusCode).toBe(200)
  })

  it('refuses a bad variable naming it', () => {
    expect(() => loadSimulatorServiceConfig({ SIM_SENDERS: '{not json' })).toThrow(ConfigError)
    expect(() => loadSimulatorServiceConfig({ SIM_SENDERS: '{not json' })).toThrow(/SIM_SENDERS/)
  })
})
