import { PaperSignupFormContract, SignupFormContract, type InboundMessage } from '@banditore/contracts'

/** A form sign-up, read from an InboundMessage of type `form`, ready for the double opt-in. */
export interface SignupRequest {
  /** `import`: a list import's confirmation request (double opt-in), same path as a form. */
  door: 'web' | 'paper' | 'import'
  messageId: string
  language: string
  name: string | null
  topics: string[] | null
  policyVersion: string
  /** The form exactly as submitted: the evidence of the declared consent. */
  form: Record<string, unknown>
}

/** A form that cannot start a sign-up; the message is acknowledged and nothing is sent. */
export class InvalidSignupFormError extends Error {
  readonly code = 'INVALID_SIGNUP_FORM'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'InvalidSignupFormError'
  }
}

/**
 * Reads a web (`signup`) or paper (`paper-signup`) form against ingest's form contracts. The
 * door must match the form's kind, and consent must have been given (the contracts require it).
 */
export function readSignupForm(message: InboundMessage, form: Record<string, unknown>): SignupRequest {
  const kind = form.kind
  try {
    if (kind === 'signup' && message.channel === 'web') {
      const f = SignupFormContract.parse(form)
      return { door: 'web', messageId: message.id, language: f.language, name: f.name, topics: f.topics, policyVersion: f.policyVersion, form }
    }
    if (kind === 'paper-signup' && message.channel === 'paper') {
      const f = PaperSignupFormContract.parse(form)
      return { door: 'paper', messageId: message.id, language: f.language, name: f.name, topics: f.topics, policyVersion: f.policyVersion, form }
    }
  } catch (cause) {
    throw new InvalidSignupFormError(`form of message ${message.id} violates its contract`, { cause })
  }
  throw new InvalidSignupFormError(`form kind ${String(kind)} cannot arrive on channel ${message.channel}`)
}
