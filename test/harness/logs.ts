import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@banditore/platform'

export interface CapturedLogs {
  logger: Logger
  /** Every line logged so far, parsed. */
  lines(): Record<string, unknown>[]
  /** Every line as raw text, for asserting what never appears. */
  text(): string
}

/** A real pino logger whose output the test can read (for redaction and error checks). */
export function captureLogs(service = 'test', level = 'debug'): CapturedLogs {
  const chunks: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString())
      done()
    },
  })
  const logger = createLogger({ service, level, destination })
  const text = () => chunks.join('')
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  }
}
