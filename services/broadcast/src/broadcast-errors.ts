/**
 * The staff API's refusals; their messages are what staff read, in Italian. Each carries the HTTP status the platform's error handler answers
 * with (problem+json: `title` is the class name, `detail` the message, `code` the code).
 */
abstract class StaffApiError extends Error {
  abstract readonly code: string
  abstract readonly statusCode: number
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** No token, an unknown one, or a revoked one. */
export class UnauthenticatedError extends StaffApiError {
  readonly code = 'UNAUTHENTICATED'
  readonly statusCode = 401
}

/** The token's role or tenant does not allow the action. */
export class ForbiddenError extends StaffApiError {
  readonly code = 'FORBIDDEN'
  readonly statusCode = 403
}

/** Four eyes: whoever wrote a draft cannot approve it. */
export class FourEyesError extends StaffApiError {
  readonly code = 'FOUR_EYES'
  readonly statusCode = 403
}

export class BroadcastNotFoundError extends StaffApiError {
  readonly code = 'BROADCAST_NOT_FOUND'
  readonly statusCode = 404
  constructor(readonly broadcastId: string) {
    super(`l'invio ${broadcastId} non esiste`)
  }
}

export class TokenNotFoundError extends StaffApiError {
  readonly code = 'TOKEN_NOT_FOUND'
  readonly statusCode = 404
  constructor(readonly tokenId: string) {
    super(`il token ${tokenId} non esiste`)
  }
}

/** The action does not fit the broadcast's state (approve a sent one, edit an approved one...). */
export class BroadcastStateError extends StaffApiError {
  readonly code = 'BROADCAST_STATE'
  readonly statusCode = 409
}

/** The approver must acknowledge what the outbound check found (or that it could not run). */
export class FindingsNotAcknowledgedError extends StaffApiError {
  readonly code = 'FINDINGS_NOT_ACKNOWLEDGED'
  readonly statusCode = 409
}

/** A draft that cannot be sent as written (unknown topic, language or channel of the tenant). */
export class DraftInvalidError extends StaffApiError {
  readonly code = 'DRAFT_INVALID'
  readonly statusCode = 422
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${path}: ${message}`)
  }
}

/** Temporal did not take the command; the request can be retried. */
export class WorkflowUnavailableError extends StaffApiError {
  readonly code = 'WORKFLOW_UNAVAILABLE'
  readonly statusCode = 503
}

/** A tenant id no tenant file defines. */
export class UnknownTenantError extends StaffApiError {
  readonly code = 'UNKNOWN_TENANT'
  readonly statusCode = 422
  constructor(readonly tenant: string) {
    super(`il comune ${tenant} non è configurato`)
  }
}

export class EmergencyNotFoundError extends StaffApiError {
  readonly code = 'EMERGENCY_NOT_FOUND'
  readonly statusCode = 404
  constructor(readonly emergencyId: string) {
    super(`l'allerta ${emergencyId} non esiste`)
  }
}

/** A CAP document that is not valid CAP 1.2, or cannot be an alert of the tenant. */
export class CapInvalidError extends StaffApiError {
  readonly code = 'CAP_INVALID'
  readonly statusCode = 400
}

export class ElectoralPeriodNotFoundError extends StaffApiError {
  readonly code = 'ELECTORAL_PERIOD_NOT_FOUND'
  readonly statusCode = 404
  constructor(readonly periodId: string) {
    super(`il periodo elettorale ${periodId} non esiste`)
  }
}

/** An electoral period whose dates cannot be (the polls close before the calling, a time that does not exist). */
export class ElectoralPeriodInvalidError extends StaffApiError {
  readonly code = 'ELECTORAL_PERIOD_INVALID'
  readonly statusCode = 422
}

/** During an electoral period an approval states why the communication is impersonal and indispensable. */
export class ElectoralStatementRequiredError extends StaffApiError {
  readonly code = 'ELECTORAL_STATEMENT_REQUIRED'
  readonly statusCode = 422
}

/** During an electoral period content the outbound policy flags as political is refused, whoever approves. */
export class ElectoralPoliticalContentError extends StaffApiError {
  readonly code = 'ELECTORAL_POLITICAL_CONTENT'
  readonly statusCode = 409
}
