import { ConfigError } from './config.js'

/**
 * Runs a service's start function. A configuration error prints one line naming the variable
 * and exits 2; any other start-up failure prints its message and exits 1.
 */
export function runMain(service: string, start: () => Promise<void>): void {
  start().catch((error: unknown) => {
    if (error instanceof ConfigError) {
      process.stderr.write(`${service}: configuration error: ${error.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`${service}: failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  })
}
