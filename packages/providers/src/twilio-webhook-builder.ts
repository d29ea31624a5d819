/*
 * Builds Twilio webhook form params as Twilio posts them: the simulator sends them, and tests
 * of other packages use them as realistic input.
 */

export interface TwilioInboundSpec {
  readonly accountSid: string
  readonly messageSid: string
  /** E.164. */
  readonly from: string
  /** E.164: the tenant's number. */
  readonly to: string
  readonly body: string
  readonly media?: ReadonlyArray<{ readonly url: string; readonly contentType: string }>
  /** Set when Advanced Opt-Out matched a keyword. */
  readonly optOutType?: 'STOP' | 'START' | 'HELP'
}

/** An inbound SMS/MMS webhook (the number's messaging URL). */
export function twilioInboundParams(spec: TwilioInboundSpec): Record<string, string> {
  const params: Record<string, string> = {
    ToCountry: 'IT',
    ToState: '',
    SmsMessageSid: spec.messageSid,
    NumMedia: String(spec.media?.length ?? 0),
    ToCity: '',
    FromZip: '',
    SmsSid: spec.messageSid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: spec.body,
    FromCountry: spec.from.startsWith('+39') ? 'IT' : '',
    To: spec.to,
    ToZip: '',
    NumSegments: String(Math.max(1, Math.ceil(spec.body.length / 153))),
    MessageSid: spec.messageSid,
    AccountSid: spec.accountSid,
    From: spec.from,
    ApiVersion: '2010-04-01',
  }
  spec.media?.forEach((item, i) => {
    params[`MediaUrl${i}`] = item.url
    params[`MediaContentType${i}`] = item.contentType
  })
  if (spec.optOutType) params.OptOutType = spec.optOutType
  return params
}

export interface TwilioStatusSpec {
  readonly accountSid: string
  readonly messageSid: string
  readonly from: string
  readonly to: string
  readonly status: 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed'
  readonly errorCode?: number
}

/** A message status callback (the StatusCallback URL of the send). */
export function twilioStatusParams(spec: TwilioStatusSpec): Record<string, string> {
  return {
    SmsSid: spec.messageSid,
    SmsStatus: spec.status,
    MessageStatus: spec.status,
    To: spec.to,
    MessageSid: spec.messageSid,
    AccountSid: spec.accountSid,
    From: spec.from,
    ApiVersion: '2010-04-01',
    ...(spec.errorCode !== undefined ? { ErrorCode: String(spec.errorCode) } : {}),
  }
}
