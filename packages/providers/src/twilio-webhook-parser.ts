import type { DeliveryState, InboundMessage } from '@banditore/contracts'
import { formValue, type FormParams } from './form-params.js'
import { e164FromProviderDigits } from './phone-number.js'
import type { DeliveryStatusEvent, InboundMessageEvent, ParsedWebhook, ProviderEndpoint } from './provider-events.js'
import { classifyTwilioErrorCode } from './twilio-error-classifier.js'
import { ALPHANUMERIC_SENDER_ID, CORRELATION_QUERY_PARAMETER } from './twilio-sms-client.js'
import { WebhookPayloadError } from './webhook-payload-error.js'

export interface ParseTwilioWebhookOptions {
  /** The full URL the webhook was posted to; status callbacks carry the correlation in it. */
  readonly url?: string
  /** When ingest received the webhook. Default now. */
  readonly receivedAt?: Date
}

/** Twilio MessageStatus → our delivery state. Inbound-only states are absent. */
const STATES: Readonly<Record<string, DeliveryState>> = {
  accepted: 'accepted',
  scheduled: 'accepted',
  queued: 'accepted',
  sending: 'accepted',
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
}

const OPT_OUT_TYPES = new Set(['STOP', 'START', 'HELP'])

function mediaKind(contentType: string | undefined): 'image' | 'video' | 'audio' | 'document' {
  if (contentType?.startsWith('image/')) return 'image'
  if (contentType?.startsWith('video/')) return 'video'
  if (contentType?.startsWith('audio/')) return 'audio'
  return 'document'
}

/** A status callback's `From`: the number the message was sent from, or its alphanumeric sender ID. */
function senderOf(params: FormParams): string | undefined {
  const number = phone(params, 'From')
  if (number) return number
  const value = formValue(params, 'From')
  return value !== undefined && ALPHANUMERIC_SENDER_ID.test(value) ? value : undefined
}

function phone(params: FormParams, name: string): string | undefined {
  const value = formValue(params, name)
  if (!value) return undefined
  try {
    return e164FromProviderDigits(value)
  } catch {
    return undefined
  }
}

function parseInbound(params: FormParams, receivedAt: string): InboundMessageEvent {
  const sid = formValue(params, 'MessageSid') ?? formValue(params, 'SmsSid')
  const from = phone(params, 'From')
  const to = phone(params, 'To')
  if (!sid || !from || !to) {
    throw new WebhookPayloadError('sms-gateway', [
      { path: !sid ? '/MessageSid' : !from ? '/From' : '/To', message: 'is missing or not a phone number' },
    ])
  }
  const count = Math.min(Number(formValue(params, 'NumMedia') ?? '0') || 0, 10)
  const media: NonNullable<InboundMessage['media']> = []
  for (let i = 0; i < count; i++) {
    const ref = formValue(params, `MediaUrl${i}`)
    const mimeType = formValue(params, `MediaContentType${i}`)
    if (ref) media.push({ kind: mediaKind(mimeType), ref, ...(mimeType ? { mimeType } : {}) })
  }
  const body = formValue(params, 'Body')?.normalize('NFC')
  const optOut = formValue(params, 'OptOutType')?.toUpperCase()
  const receiver: ProviderEndpoint = {
    channel: 'sms',
    provider: 'sms-gateway',
    number: to,
    ...(formValue(params, 'AccountSid') ? { accountSid: formValue(params, 'AccountSid') } : {}),
  }
  return {
    kind: 'message',
    receiver,
    message: {
      id: `sms-gateway:${sid}`,
      channel: 'sms',
      provider: 'sms-gateway',
      providerMessageId: sid,
      from,
      to,
      type: media[0]?.kind ?? 'text',
      ...(body ? { text: body } : {}),
      ...(media.length ? { media } : {}),
      // SMS carries no send time; the gateway forwards at once.
      sentAt: receivedAt,
      receivedAt,
    },
    extras: optOut && OPT_OUT_TYPES.has(optOut) ? { optOut: optOut as 'STOP' | 'START' | 'HELP' } : {},
  }
}

function parseStatus(params: FormParams, options: ParseTwilioWebhookOptions, receivedAt: string): DeliveryStatusEvent {
  const sid = formValue(params, 'MessageSid') ?? formValue(params, 'SmsSid')
  const providerState = formValue(params, 'MessageStatus') ?? formValue(params, 'SmsStatus') ?? ''
  const state = STATES[providerState]
  const recipient = phone(params, 'To')
  const from = senderOf(params)
  if (!sid || !state || !recipient || !from) {
    throw new WebhookPayloadError('sms-gateway', [
      {
        path: !sid ? '/MessageSid' : !state ? '/MessageStatus' : !recipient ? '/To' : '/From',
        message:
          !state && sid ? `"${providerState}" is not a delivery state` : recipient && !from ? 'is missing, or neither a phone number nor an alphanumeric sender ID' : 'is missing or not a phone number',
      },
    ])
  }
  let correlation: string | null = null
  if (options.url) {
    try {
      correlation = new URL(options.url).searchParams.get(CORRELATION_QUERY_PARAMETER)
    } catch {
      correlation = null
    }
  }
  const errorCode = formValue(params, 'ErrorCode')
  const errorMessage = formValue(params, 'ErrorMessage')
  const hasError = errorCode !== undefined && errorCode !== '' && errorCode !== '0'
  const accountSid = formValue(params, 'AccountSid')
  return {
    kind: 'status',
    sender: { channel: 'sms', provider: 'sms-gateway', number: from, ...(accountSid ? { accountSid } : {}) },
    providerState,
    status: {
      id: `sms-gateway:${sid}:${state}`,
      channel: 'sms',
      provider: 'sms-gateway',
      providerMessageId: sid,
      state,
      recipient,
      ...(correlation ? { correlation } : {}),
      ...(hasError ? { error: { code: errorCode, ...(errorMessage ? { title: errorMessage } : {}) } } : {}),
      // Status callbacks carry no event time (RawDlrDoneDate is minute-precise, zone-less).
      occurredAt: receivedAt,
      receivedAt,
    },
    ...(state === 'failed' ? { errorKind: (hasError ? classifyTwilioErrorCode(Number(errorCode)) : undefined) ?? 'permanent' } : {}),
  }
}

/**
 * Parses a Twilio-compatible webhook (form params): an inbound SMS/MMS or a message status
 * callback (told apart by MessageStatus). Throws WebhookPayloadError when required fields are
 * missing. Verify X-Twilio-Signature first.
 */
export function parseTwilioWebhook(params: FormParams, options: ParseTwilioWebhookOptions = {}): ParsedWebhook {
  const receivedAt = (options.receivedAt ?? new Date()).toISOString()
  const status = formValue(params, 'MessageStatus')
  if (status !== undefined && status !== 'received' && status !== 'receiving') {
    return { messages: [], statuses: [parseStatus(params, options, receivedAt)], errors: [], rejected: [] }
  }
  return { messages: [parseInbound(params, receivedAt)], statuses: [], errors: [], rejected: [] }
}
