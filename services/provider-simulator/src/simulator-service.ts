import { ConfigError, type ServiceDefinition } from '@banditore/platform'
import { ProviderSimulator } from './provider-simulator.js'
import { buildSimulatorApp } from './simulator-app.js'
import { loadSimulatorConfig, SimulatorConfigError, type SimulatorOptions } from './simulator-config.js'

export interface SimulatorServiceConfig {
  LOG_LEVEL: string
  HOST: string
  PORT: number
  simulator: SimulatorOptions
}

/** The simulator's SIM_* variables, in the shape every deployable's configuration has. */
export function loadSimulatorServiceConfig(env: Readonly<Record<string, string | undefined>>): SimulatorServiceConfig {
  try {
    const options = loadSimulatorConfig(env)
    return { simulator: options, LOG_LEVEL: env.SIM_LOG_LEVEL ?? 'info', HOST: options.host, PORT: options.port }
  } catch (error) {
    if (error instanceof SimulatorConfigError) {
      const first = error.issues[0]
      throw new ConfigError(first?.path || 'SIM_SENDERS', first?.message ?? error.message, { cause: error })
    }
    throw error
  }
}

/** The provider simulator as a deployable: no database, no bus, the providers' HTTP APIs. */
export const simulatorService: ServiceDefinition<SimulatorServiceConfig> = {
  name: 'provider-simulator',
  loadConfig: loadSimulatorServiceConfig,
  async start({ config }) {
    const sim = new ProviderSimulator(config.simulator)
    const { app, releaseHeld } = buildSimulatorApp(sim, { logger: { level: config.LOG_LEVEL, base: { service: 'provider-simulator' } } })
    return {
      http: app,
      stop: [
        {
          name: 'simulator',
          run: async () => {
            releaseHeld()
            sim.close()
          },
        },
      ],
      describe: {
        whatsappSenders: config.simulator.whatsapp.length,
        twilioAccounts: config.simulator.twilio.length,
        defaultThroughputPerSecond: config.simulator.defaultThroughputPerSecond,
        webhookRetries: config.simulator.callbackMaxAttempts === undefined ? 'provider schedules' : `${config.simulator.callbackMaxAttempts} attempts`,
        timeScale: config.simulator.timeScale,
      },
    }
  },
}
