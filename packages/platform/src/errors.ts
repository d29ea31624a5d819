/**
 * A message that can never succeed however often it is redelivered (it violates its contract,
 * names an unknown tenant, ...). Consumers dead-letter it at once instead of retrying.
 */
export class PermanentMessageError extends Error {
  readonly code: string
  constructor(message: string, options?: { code?: string; cause?: unknown }) {
    super(message, { cause: options?.cause })
    this.name = 'PermanentMessageError'
    this.code = options?.code ?? 'PERMANENT_MESSAGE_ERROR'
  }
}

/** A dependency (NATS, PostgreSQL, Temporal) that did not answer a readiness probe. */
export class DependencyUnavailableError extends Error {
  readonly code = 'DEPENDENCY_UNAVAILABLE'
  constructor(
    readonly dependency: string,
    options?: { cause?: unknown },
  ) {
    super(`${dependency} is not reachable`, options)
    this.name = 'DependencyUnavailableError'
  }
}
