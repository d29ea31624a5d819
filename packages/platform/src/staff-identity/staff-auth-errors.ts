/**
 * The refusals of every staff surface, answered by the platform's error handler as
 * problem+json (`title` from `name`, `detail` from the message, `code`). Messages are what staff
 * read: Italian.
 */
export class StaffUnauthenticatedError extends Error {
  readonly code = 'UNAUTHENTICATED'
  readonly statusCode = 401
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'Unauthorized'
  }
}

/** Signed in, but the grants do not allow the action or the tenant. */
export class StaffForbiddenError extends Error {
  readonly code = 'FORBIDDEN'
  readonly statusCode = 403
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'Forbidden'
  }
}

/** The OpenID provider's discovery document or keys could not be read: the request can be retried. */
export class IdentityProviderUnavailableError extends Error {
  readonly code = 'IDENTITY_PROVIDER_UNAVAILABLE'
  readonly statusCode = 503
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'IdentityProviderUnavailableError'
  }
}
