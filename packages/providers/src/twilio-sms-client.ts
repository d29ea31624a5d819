import { isBsuid } from '@banditore/contracts'
import { encodeFormBody } from './form-params.js'
import { InvalidPhoneNumberError, normalizePhoneNumber } from './phone-number.js'
import { ProviderError, retryAfterMsFrom } from './provider-error.js'
import { requestProviderPaced, type FetchFunction } from './provider-request.js'
import { senderKeys, type SendPriority, type SendRateLimiter } from './send-rate-limiter.js'
import { classifyTwilioError } from './twilio-error-classifier.js'
import type { SendResult } from './whatsapp-cloud-client.js'

/** One tenant's gateway account. */
export interface TwilioAccount {
  readonly accountSid: string
  readonly authToken: string
}

export interface TwilioSmsClientOptions {
  /** Default https://api.twilio.com; the simulator's URL in tests and the local stack. */
  readonly baseUrl?: string
  /** Per-request deadline in ms. Default 10000. */
  readonly timeoutMs?: number
  readonly fetch?: FetchFunction
  /** Paces sends per sending number; a send's own `rateLimiter` wins. */
  readonly rateLimiter?: SendRateLimiter
}

export interface SendSmsInput {
  readonly account: TwilioAccount
  /** The tenant's sending number (E.164 or national IT); its rate limit paces the send. */
  readonly from: string
  /**
   * Sent from this alphanumeric sender ID instead of `from` (a one-way notice: it cannot be
   * answered); still paced under `from`'s limit, the account's throughput.
   */
  readonly senderId?: string
  readonly to: string
  readonly body: string
  readonly mediaUrls?: readonly string[]
  /** Where the gateway posts delivery statuses; the correlation is added to its query string. */
  readonly statusCallbackUrl: string
  /** Our send-ledger id; comes back as the `correlation` query parameter of the status callback. */
  readonly correlation: string
  readonly priority?: SendPriority
  readonly rateLimiter?: SendRateLimiter
}

export interface TwilioSmsClient {
  sendSms(input: SendSmsInput): Promise<SendResult>
}

/** An alphanumeric sender ID as the gateway accepts one: up to 11 letters, digits and spaces, at least one letter. */
export const ALPHANUMERIC_SENDER_ID = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/

/** The query parameter carrying the send-ledger id on status callback URLs. */
export const CORRELATION_QUERY_PARAMETER = 'correlation'

/** The StatusCallback URL for one send: the base URL with the correlation in its query string. */
export function statusCallbackUrlFor(baseUrl: string, correlation: string): string {
  const url = new URL(baseUrl)
  url.searchParams.set(CORRELATION_QUERY_PARAMETER, correlation)
  return url.toString()
}

interface TwilioErrorBody {
  code?: number
  message?: string
  more_info?: string
  status?: number
}

/** A Twilio-compatible Messages API client: POST /2010-04-01/Accounts/{AccountSid}/Messages.json. */
export function createTwilioSmsClient(options: TwilioSmsClientOptions = {}): TwilioSmsClient {
  const baseUrl = (options.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '')
  const timeoutMs = options.timeoutMs ?? 10_000
  const fetchFn: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init))

  return {
    async sendSms(input) {
      // A WhatsApp username-only citizen's address (a BSUID) has no number to text: refused before any request.
      if (isBsuid(input.to)) throw new InvalidPhoneNumberError('NOT_A_NUMBER')
      const to = normalizePhoneNumber(input.to)
      const from = normalizePhoneNumber(input.from, { validation: 'possible' })
      const pacing = { limiter: input.rateLimiter ?? options.rateLimiter, senderKey: senderKeys.sms(from), priority: input.priority ?? 'routine' }
      if (input.senderId !== undefined && !ALPHANUMERIC_SENDER_ID.test(input.senderId)) {
        throw new Error(`"${input.senderId}" is not an alphanumeric sender ID (up to 11 letters, digits or spaces, at least one letter)`)
      }
      const form: Record<string, string | string[]> = {
        To: to,
        From: input.senderId ?? from,
        Body: input.body.normalize('NFC'),
        StatusCallback: statusCallbackUrlFor(input.statusCallbackUrl, input.correlation),
      }
      if (input.mediaUrls?.length) form.MediaUrl = [...input.mediaUrls]
      const credentials = Buffer.from(`${input.account.accountSid}:${input.account.authToken}`).toString('base64')
      const response = await requestProviderPaced(
        'sms-gateway',
        fetchFn,
        pacing,
        `${baseUrl}/2010-04-01/Accounts/${encodeURIComponent(input.account.accountSid)}/Messages.json`,
        () => ({
          method: 'POST',
          headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: encodeFormBody(form),
        }),
        timeoutMs,
      )
      if (response.status >= 200 && response.status < 300) {
        const sid = (response.json as { sid?: unknown } | undefined)?.sid
        if (typeof sid !== 'string' || sid.length === 0) {
          throw new ProviderError('sms-gateway: accepted without a message sid', {
            provider: 'sms-gateway',
            kind: 'retryable',
            httpStatus: response.status,
            ambiguous: true,
          })
        }
        return { provider: 'sms-gateway', providerMessageId: sid, to, correlation: input.correlation }
      }
      const error = response.json as TwilioErrorBody | undefined
      throw new ProviderError(`sms-gateway: HTTP ${response.status} ${error?.message ?? ''}`.trim(), {
        provider: 'sms-gateway',
        kind: classifyTwilioError(response.status, error?.code),
        providerCode: error?.code === undefined ? undefined : String(error.code),
        httpStatus: response.status,
        retryAfterMs: retryAfterMsFrom(response.headers.get('retry-after')),
        ambiguous: response.status >= 500,
        title: error?.message,
        detail: error?.more_info,
        cause: response.json,
      })
    },
  }
}
