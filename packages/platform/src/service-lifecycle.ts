import closeWithGrace from 'close-with-grace'
import type { Logger } from './logger.js'

/** A step of shutdown, run in the order given: stop intake first, close pools last. */
export interface ShutdownStep {
  name: string
  run: () => Promise<unknown>
}

export interface ShutdownOptions {
  logger: Logger
  steps: ShutdownStep[]
  /** Hard limit: past it the process exits non-zero. */
  graceMs?: number
}

/** Runs the steps in order; a failing step is logged and the next one still runs. */
export async function runShutdownSteps(logger: Logger, steps: readonly ShutdownStep[]): Promise<void> {
  for (const step of steps) {
    try {
      await step.run()
      logger.debug({ step: step.name }, 'shutdown step done')
    } catch (error) {
      logger.error({ step: step.name, err: error }, 'shutdown step failed')
    }
  }
}

/**
 * On SIGTERM or SIGINT (or an uncaught error), runs the shutdown steps in order and exits;
 * exits with code 1 if they have not finished within the grace period (10 s by default).
 */
export function installShutdown({ logger, steps, graceMs = 10_000 }: ShutdownOptions): { shutdown: () => Promise<void> } {
  const runSteps = () => runShutdownSteps(logger, steps)
  const handle = closeWithGrace({ delay: graceMs, logger }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'stopping after an uncaught error')
    else logger.info({ signal }, 'stopping')
    await runSteps()
    logger.info('stopped')
  })
  return {
    shutdown: async () => {
      handle.uninstall()
      await runSteps()
    },
  }
}
