import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino'

export type { Logger } from 'pino'

/**
 * Fields that may hold a citizen's phone number or name. They are censored at every level:
 * a log line identifies a message by its ids, never by who sent it.
 */
// `fromUserId`, `bsuid`, `userId`, `username`: a WhatsApp citizen's business-scoped user id and
// username (issue #16) identify them as a number does.
const PERSONAL_FIELDS = ['from', 'to', 'phone', 'recipient', 'sender', 'profileName', 'name', 'text', 'body', 'fromUserId', 'bsuid', 'userId', 'username']
export const REDACT_PATHS = [
  ...PERSONAL_FIELDS,
  ...PERSONAL_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-twilio-signature"]',
]

export interface LoggerConfig {
  service: string
  level?: string
  /** Where lines go; standard output unless given (tests pass a stream to inspect them). */
  destination?: DestinationStream
}

export function createLogger({ service, level = 'info', destination }: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level,
    base: { service },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  }
  return destination ? pino(options, destination) : pino(options)
}
