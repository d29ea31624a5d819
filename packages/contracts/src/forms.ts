import { createHash } from 'node:crypto'
import Type from 'typebox'
import { TimestampSchema } from './common.js'
import { LanguageSchema } from './tenant.js'
import { defineContract } from './validate.js'

/**
 * The version of a privacy notice a citizen accepted: `sha256:` + the hex SHA-256 of the notice's
 * text (Unicode NFC, UTF-8), exactly as `tenant.privacyPolicy[language]` holds it. A form shows
 * the text and submits this version; ingest refuses a version that is not the tenant's current
 * one, so a consent record always names the exact text accepted.
 */
export function privacyPolicyVersion(text: string): string {
  return `sha256:${createHash('sha256').update(text.normalize('NFC'), 'utf8').digest('hex')}`
}

export const PolicyVersionSchema = Type.String({ pattern: '^sha256:[0-9a-f]{64}$' })

const common = {
  /** The citizen's name as written on the form. */
  name: Type.String({ minLength: 1, maxLength: 120 }),
  /** Topic ids of the tenant the citizen chose (always-on topics are implied, may be absent). */
  topics: Type.Array(Type.String({ pattern: '^[a-z0-9-]+$' }), { maxItems: 50 }),
  /** privacyPolicyVersion() of the notice shown, in `language`. */
  policyVersion: PolicyVersionSchema,
  /** The consent box was ticked (web) or the form signed (paper); never false: such forms are refused. */
  consent: Type.Literal(true),
  /** The language the form was shown and filled in, one of the tenant's. */
  language: LanguageSchema,
}

/**
 * `form` of an InboundMessage from the web sign-up form (channel `web`, provider `web-form`,
 * type `form`, `from` the citizen's number). A DOUBLE OPT-IN: the form only proves that someone
 * typed the number. Subscriptions sends a confirmation to `from` and subscribes only when the
 * citizen answers it; the consent recorded then is this policy version, `receivedAt` and the
 * answer.
 */
export const SignupFormSchema = Type.Object(
  {
    kind: Type.Literal('signup'),
    ...common,
  },
  { additionalProperties: false },
)
export type SignupForm = Type.Static<typeof SignupFormSchema>
export const SignupFormContract = defineContract('SignupForm', SignupFormSchema)

/**
 * `form` of an InboundMessage for a paper sign-up form typed in by the URP office (channel
 * `paper`, provider `paper-form`, type `form`, `providerMessageId` the form reference). The
 * citizen signed the paper in person: the signed form, kept by the office under
 * `formReference`, is the consent proof.
 */
export const PaperSignupFormSchema = Type.Object(
  {
    kind: Type.Literal('paper-signup'),
    ...common,
    /** The operator id (from PAPER_FORM_TOKENS) whose token typed the form in. */
    operator: Type.String({ minLength: 1 }),
    /** The office's reference of the paper form (protocol number), unique per tenant. */
    formReference: Type.String({ minLength: 1, maxLength: 64 }),
    /** The date the citizen signed, YYYY-MM-DD. */
    signedAt: Type.String({ pattern: '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$' }),
    /** When the operator typed it in. */
    enteredAt: TimestampSchema,
  },
  { additionalProperties: false },
)
export type PaperSignupForm = Type.Static<typeof PaperSignupFormSchema>
export const PaperSignupFormContract = defineContract('PaperSignupForm', PaperSignupFormSchema)
