import { startSimulator } from './start-simulator.js'
import { loadSimulatorConfig, type SimulatorOptions } from './simulator-config.js'

// The simulator as a service: config from the environment, validated before listening.
let config: SimulatorOptions
try {
  config = loadSimulatorConfig(process.env)
} catch (error) {
  process.stderr.write(`provider simulator: ${error instanceof Error ? error.message : String(error)}\n`)
  process.exit(1)
}
const running = await startSimulator({
  ...config,
  logger: { level: process.env.SIM_LOG_LEVEL ?? 'info', base: { service: 'provider-simulator' } },
})
running.app.log.info(
  {
    url: running.url,
    whatsappSenders: config.whatsapp.length,
    twilioAccounts: config.twilio.length,
    defaultThroughputPerSecond: config.defaultThroughputPerSecond,
  },
  'provider simulator listening',
)

let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (stopping) return
    stopping = true
    running.app.log.info({ signal }, 'provider simulator stopping')
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        running.app.log.error({ err: error }, 'provider simulator failed to stop cleanly')
        process.exit(1)
      },
    )
  })
}
