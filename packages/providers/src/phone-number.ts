import { parsePhoneNumberWithError, ParseError, type CountryCode } from 'libphonenumber-js/max'

/**
 * How strict normalization is. `valid` checks the number against the numbering plan (use it for
 * numbers people type: forms, staff input, send targets). `possible` checks only the length for
 * the country (use it for numbers a provider hands us, which are real by construction and may be
 * in ranges newer than our metadata, or test ranges such as +1 555).
 */
export type PhoneNumberValidation = 'valid' | 'possible'

export interface NormalizePhoneNumberOptions {
  /** Region assumed for numbers without an international prefix. Default IT. */
  readonly defaultRegion?: CountryCode
  /** Default `valid`. */
  readonly validation?: PhoneNumberValidation
}

/** A phone number that cannot be read as a (valid or possible) E.164 number. */
export class InvalidPhoneNumberError extends Error {
  readonly code = 'INVALID_PHONE_NUMBER'
  constructor(
    /** Why: NOT_A_NUMBER, TOO_SHORT, TOO_LONG, INVALID_COUNTRY, NOT_VALID, NOT_POSSIBLE. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    // The number itself stays out of the message: messages end up in logs.
    super(`invalid phone number (${reason})`, options)
    this.name = 'InvalidPhoneNumberError'
  }
}

/**
 * Normalizes a phone number to E.164 (`+393331234567`). Accepts national (`333 123 4567`),
 * international (`+39 333…`, `0039 333…`) and punctuated forms. Throws InvalidPhoneNumberError.
 */
export function normalizePhoneNumber(input: string, options: NormalizePhoneNumberOptions = {}): string {
  const { defaultRegion = 'IT', validation = 'valid' } = options
  let parsed
  try {
    parsed = parsePhoneNumberWithError(input.trim(), defaultRegion)
  } catch (cause) {
    throw new InvalidPhoneNumberError(cause instanceof ParseError ? cause.message : 'NOT_A_NUMBER', { cause })
  }
  if (validation === 'valid' ? !parsed.isValid() : !parsed.isPossible()) {
    throw new InvalidPhoneNumberError(validation === 'valid' ? 'NOT_VALID' : 'NOT_POSSIBLE')
  }
  return parsed.number
}

/** True when `input` normalizes; never throws. */
export function isNormalizablePhoneNumber(input: string, options?: NormalizePhoneNumberOptions): boolean {
  try {
    normalizePhoneNumber(input, options)
    return true
  } catch {
    return false
  }
}

/**
 * Parsing with the numbering-plan metadata costs ~100 µs, on every webhook (sender, receiving
 * number, status recipient), and the same few numbers come back all the time: results of
 * e164FromProviderDigits are kept in a bounded LRU (insertion-ordered Map). Only successes are
 * kept, so unreadable input always gets a fresh error.
 */
const PROVIDER_DIGITS_CACHE_SIZE = 10_000
const providerDigitsCache = new Map<string, string>()

/** E.164 to the digits-only form the Cloud API uses for `wa_id` and `display_phone_number`. */
export function providerDigitsFromE164(e164: string): string {
  return e164.replace(/^\+/, '')
}

/**
 * A WhatsApp id or display number (international digits without `+`, as the Cloud API writes
 * them) to E.164. Provider-supplied, so only checked for a possible length.
 */
export function e164FromProviderDigits(digits: string): string {
  const cached = providerDigitsCache.get(digits)
  if (cached !== undefined) {
    // Least recently used first: a hit moves to the end.
    providerDigitsCache.delete(digits)
    providerDigitsCache.set(digits, cached)
    return cached
  }
  const cleaned = digits.replace(/[^\d+]/g, '')
  const e164 = normalizePhoneNumber(cleaned.startsWith('+') ? cleaned : `+${cleaned}`, { validation: 'possible' })
  if (providerDigitsCache.size >= PROVIDER_DIGITS_CACHE_SIZE) {
    providerDigitsCache.delete(providerDigitsCache.keys().next().value as string)
  }
  providerDigitsCache.set(digits, e164)
  return e164
}


/** Why a number we are to notify (an official, the staff on duty) cannot receive our messages. */
export type ReceivingNumberProblem = 'not-valid' | 'not-mobile' | 'fictional'

/**
 * Numbers reserved for fiction and documentation, valid by the numbering plan but never anyone's
 * phone: Australia's ACMA fictitious mobiles (0491 570 000 to 0491 579 999), North America's
 * 555-0100 to 555-0199, the UK's Ofcom drama mobiles (07700 900000 to 07700 900999).
 */
const FICTIONAL_RANGES = [/^\+6149157\d{4}$/, /^\+1\d{3}55501\d{2}$/, /^\+447700900\d{3}$/]

/**
 * Whether an E.164 number can receive a notice by SMS or WhatsApp: valid by the numbering plan,
 * a mobile (or a number the plan cannot tell from one), outside the fictional ranges.
 */
export function receivingNumberProblem(e164: string): ReceivingNumberProblem | undefined {
  if (FICTIONAL_RANGES.some((range) => range.test(e164))) return 'fictional'
  let parsed
  try {
    parsed = parsePhoneNumberWithError(e164)
  } catch {
    return 'not-valid'
  }
  if (parsed.number !== e164 || !parsed.isValid()) return 'not-valid'
  const type = parsed.getType()
  return type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE' ? undefined : 'not-mobile'
}
