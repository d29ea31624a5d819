/*
 * Named errors of ingest's doors. Each carries the HTTP status the platform's error handler
 * answers with as problem+json (title = name, detail = message, code = code).
 */

/** A webhook whose signature is missing, malformed or does not match any of our secrets. */
export class WebhookSignatureError extends Error {
  readonly code = 'WEBHOOK_SIGNATURE_INVALID'
  readonly statusCode = 401
  constructor(
    readonly reason: 'missing' | 'malformed' | 'mismatch',
    options?: { cause?: unknown },
  ) {
    super(`webhook signature ${reason === 'missing' ? 'is missing' : reason === 'malformed' ? 'is malformed' : 'does not match'}`, options)
    this.name = 'WebhookSignatureError'
  }
}

/** A body that is not what the door reads (not JSON, not the provider's format, wrong fields). */
export class MalformedRequestError extends Error {
  readonly code = 'MALFORMED_REQUEST'
  readonly statusCode = 400
  constructor(
    message: string,
    /** Problem `errors`: each violation by JSON pointer. */
    readonly validation?: ReadonlyArray<{ path: string; message: string }>,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'MalformedRequestError'
  }
}

/**
 * The secret that signs a known number's webhooks is not set: a configuration error on our
 * side. 503, so the provider keeps retrying until it is fixed.
 */
export class WebhookSecretMissingError extends Error {
  readonly code = 'WEBHOOK_SECRET_NOT_CONFIGURED'
  readonly statusCode = 503
  constructor(
    readonly tenant: string,
    readonly variable: string,
  ) {
    super(`the secret for tenant ${tenant} (${variable}) is not configured`)
    this.name = 'WebhookSecretMissingError'
  }
}

/** A sign-up form refused; the message is for the citizen or operator (Italian or French). */
export class SignupRejectedError extends Error {
  constructor(
    readonly statusCode: 400 | 403 | 404 | 409,
    readonly code: string,
    message: string,
    readonly validation?: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(message)
    this.name = 'SignupRejectedError'
  }
}

/** A paper form without a valid operator token. */
export class OperatorUnauthorizedError extends Error {
  readonly code = 'OPERATOR_UNAUTHORIZED'
  readonly statusCode = 401
  constructor() {
    super('Token operatore mancante o non valido.')
    this.name = 'OperatorUnauthorizedError'
  }
}

/** Too many sign-ups from one address or for one number. */
export class SignupRateLimitedError extends Error {
  readonly code = 'RATE_LIMITED'
  readonly statusCode = 429
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message)
    this.name = 'SignupRateLimitedError'
  }
}
