import { randomUUID } from 'node:crypto'
import {
  InboundMessageContract,
  PaperSignupFormContract,
  privacyPolicyVersion,
  SignupFormContract,
  type InboundMessage,
  type Tenant,
} from '@banditore/contracts'
import type { TenantDirectory } from '@banditore/platform'
import { normalizePhoneNumber } from '@banditore/providers'
import Type from 'typebox'
import { Compile } from 'typebox/compile'
import { SignupRejectedError } from './ingest-errors.js'
import { signupText } from './signup-form-texts.js'

// Shapes only; what the values mean (tenant, number, topics, policy) is checked in checkSignup.
const fields = {
  tenant: Type.String({ minLength: 1, maxLength: 63 }),
  name: Type.String({ maxLength: 120 }),
  phone: Type.String({ minLength: 1, maxLength: 40 }),
  topics: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 }),
  consent: Type.Boolean(),
  policyVersion: Type.String({ maxLength: 100 }),
  language: Type.Optional(Type.String({ maxLength: 8 })),
}

/** POST /forms/signup, JSON or form-encoded. `submissionId`: the page's idempotency key (a resubmit is stored once). */
export const WebSignupBodySchema = Type.Object(
  { ...fields, submissionId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })) },
  { additionalProperties: false },
)
export type WebSignupBody = Type.Static<typeof WebSignupBodySchema>

/** POST /forms/paper, JSON, typed in by a URP operator. */
export const PaperSignupBodySchema = Type.Object(
  {
    ...fields,
    formReference: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9/._-]{0,63}$' }),
    signedAt: Type.String({ pattern: '^[0-9]{4}-[0-1][0-9]-[0-3][0-9]$' }),
  },
  { additionalProperties: false },
)
export type PaperSignupBody = Type.Static<typeof PaperSignupBodySchema>

const webValidator = Compile(WebSignupBodySchema)
const paperValidator = Compile(PaperSignupBodySchema)

const TRUE_WORDS = new Set(['on', 'true', '1', 'yes', 'si', 'sì', 'oui'])

/**
 * A form-encoded body as the JSON the schema reads: `topics` (or `topics[]`) always an array, the
 * consent checkbox (`on` when ticked, absent when not) a boolean. Unknown fields (submit buttons,
 * CSRF tokens) are left out.
 */
export function formFieldsFromParams(params: Readonly<Record<string, string | readonly string[]>>): Record<string, unknown> {
  const first = (name: string) => {
    const value = params[name]
    return typeof value === 'string' ? value : value?.[0]
  }
  const all = (name: string) => {
    const value = params[name]
    return value === undefined ? [] : typeof value === 'string' ? [value] : [...value]
  }
  const body: Record<string, unknown> = {}
  for (const name of ['tenant', 'name', 'phone', 'policyVersion', 'language', 'submissionId']) {
    const value = first(name)
    if (value !== undefined) body[name] = value
  }
  body.topics = [...all('topics'), ...all('topics[]')].filter((t) => t !== '')
  body.consent = TRUE_WORDS.has((first('consent') ?? '').trim().toLowerCase())
  return body
}

function shapeOf<T>(validator: { Check(v: unknown): boolean; Errors(v: unknown): Iterable<{ instancePath: string; message: string }> }, body: unknown): T {
  if (validator.Check(body)) return body as T
  const language = typeof (body as { language?: unknown } | null)?.language === 'string' ? (body as { language: string }).language : undefined
  const issues = [...validator.Errors(body)].slice(0, 20).map((e) => ({ path: e.instancePath, message: e.message }))
  throw new SignupRejectedError(400, 'INVALID_FORM', signupText(language, 'invalidForm'), issues)
}

export const parseWebSignupBody = (body: unknown) => shapeOf<WebSignupBody>(webValidator, body)
export const parsePaperSignupBody = (body: unknown) => shapeOf<PaperSignupBody>(paperValidator, body)

/** A sign-up whose values were checked against its tenant. */
export interface CheckedSignup {
  readonly tenant: Tenant
  /** E.164. */
  readonly phone: string
  readonly name: string
  readonly topics: string[]
  readonly language: string
  readonly policyVersion: string
}

/**
 * Checks a sign-up against its tenant: the door is open, the number is a valid one (national
 * numbers read as Italian), the topics exist, consent was given, and the privacy notice version
 * is the tenant's current one in that language (consent to an older text is refused, so the
 * citizen reads the text in force).
 */
export function checkSignup(tenants: TenantDirectory, body: WebSignupBody | PaperSignupBody, door: 'web' | 'paper'): CheckedSignup {
  const text = (key: Parameters<typeof signupText>[1], values?: Record<string, string>) => signupText(body.language, key, values)
  const tenant = tenants.get(body.tenant)
  if (!tenant) throw new SignupRejectedError(404, 'UNKNOWN_TENANT', text('unknownTenant'))
  if (!tenant.signup.doors.includes(door)) {
    throw new SignupRejectedError(403, 'DOOR_CLOSED', text(door === 'web' ? 'webDoorClosed' : 'paperDoorClosed'))
  }
  const language = body.language ?? tenant.languages[0] ?? 'it'
  if (!tenant.languages.includes(language)) throw new SignupRejectedError(400, 'UNKNOWN_LANGUAGE', text('unknownLanguage'), [{ path: '/language', message: 'not a language of the tenant' }])
  const name = body.name.normalize('NFC').replace(/\s+/g, ' ').trim()
  if (!name) throw new SignupRejectedError(400, 'NAME_REQUIRED', text('nameRequired'), [{ path: '/name', message: 'is empty' }])
  let phone: string
  try {
    phone = normalizePhoneNumber(body.phone, { defaultRegion: 'IT', validation: 'valid' })
  } catch {
    throw new SignupRejectedError(400, 'INVALID_PHONE', text('invalidPhone'), [{ path: '/phone', message: 'is not a valid phone number' }])
  }
  const known = new Set(tenant.topics.map((t) => t.id))
  const topics = [...new Set(body.topics)]
  const unknown = topics.find((t) => !known.has(t))
  if (unknown !== undefined) throw new SignupRejectedError(400, 'UNKNOWN_TOPIC', text('unknownTopic', { topic: unknown.slice(0, 64) }), [{ path: '/topics', message: 'unknown topic' }])
  if (body.consent !== true) throw new SignupRejectedError(400, 'CONSENT_REQUIRED', text('consentRequired'), [{ path: '/consent', message: 'must be true' }])
  const policy = tenant.privacyPolicy[language]
  if (!policy || privacyPolicyVersion(policy) !== body.policyVersion) {
    throw new SignupRejectedError(409, 'POLICY_VERSION_STALE', text('policyChanged'), [{ path: '/policyVersion', message: 'is not the current privacy notice' }])
  }
  return { tenant, phone, name, topics, language, policyVersion: body.policyVersion }
}

/** The InboundMessage for a web sign-up (see SignupFormSchema for the double opt-in contract). */
export function webSignupMessage(signup: CheckedSignup, submissionId: string | undefined, now: Date): InboundMessage {
  const providerMessageId = submissionId ?? randomUUID()
  const at = now.toISOString()
  return InboundMessageContract.parse({
    version: 1,
    id: `web-form:${signup.tenant.id}:${providerMessageId}`,
    tenant: signup.tenant.id,
    channel: 'web',
    provider: 'web-form',
    providerMessageId,
    from: signup.phone,
    to: 'web-form:signup',
    type: 'form',
    form: SignupFormContract.parse({
      kind: 'signup',
      name: signup.name,
      topics: signup.topics,
      policyVersion: signup.policyVersion,
      consent: true,
      language: signup.language,
    }),
    sentAt: at,
    receivedAt: at,
  })
}

/** The InboundMessage for a paper form; its id is the form reference, so retyping it is stored once. */
export function paperSignupMessage(signup: CheckedSignup, body: PaperSignupBody, operator: string, now: Date): InboundMessage {
  const signed = new Date(`${body.signedAt}T00:00:00Z`)
  if (Number.isNaN(signed.getTime()) || signed.toISOString().slice(0, 10) !== body.signedAt) {
    throw new SignupRejectedError(400, 'INVALID_FORM', signupText(signup.language, 'invalidForm'), [{ path: '/signedAt', message: 'is not a date' }])
  }
  // A day of slack: the office and the server may disagree on the date around midnight.
  if (signed.getTime() > now.getTime() + 24 * 3600 * 1000) {
    throw new SignupRejectedError(400, 'SIGNED_IN_FUTURE', signupText(signup.language, 'signedInFuture'), [{ path: '/signedAt', message: 'is in the future' }])
  }
  const at = now.toISOString()
  return InboundMessageContract.parse({
    version: 1,
    id: `paper-form:${signup.tenant.id}:${body.formReference}`,
    tenant: signup.tenant.id,
    channel: 'paper',
    provider: 'paper-form',
    providerMessageId: body.formReference,
    from: signup.phone,
    to: 'paper-form:signup',
    type: 'form',
    form: PaperSignupFormContract.parse({
      kind: 'paper-signup',
      name: signup.name,
      topics: signup.topics,
      policyVersion: signup.policyVersion,
      consent: true,
      language: signup.language,
      operator,
      formReference: body.formReference,
      signedAt: body.signedAt,
      enteredAt: at,
    }),
    sentAt: at,
    receivedAt: at,
  })
}
