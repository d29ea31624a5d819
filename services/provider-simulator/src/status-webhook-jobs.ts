import type { CallbackJob } from './callback-dispatcher.js'
import type { RecordedMessage } from './message-record.js'
import { whatsAppErrorText } from './provider-error-catalog.js'
import type { SimTwilioAccount, SimWhatsAppSender } from './simulator-config.js'
import { encodeFormBody, computeTwilioSignature, twilioStatusParams, signWhatsAppPayload, buildWhatsAppStatusWebhook, encodeWhatsAppWebhookBody } from '@banditore/providers'

/** A status webhook as the Cloud API posts it, signed with the number's app secret. */
export function whatsAppStatusJob(
  defaultAppSecret: string,
  sender: SimWhatsAppSender,
  message: RecordedMessage,
  state: 'sent' | 'delivered' | 'read' | 'failed',
  failureCode: number | undefined,
  at: number,
): CallbackJob {
  const payload = buildWhatsAppStatusWebhook(
    {
      businessAccountId: sender.businessAccountId ?? `waba-${sender.phoneNumberId}`,
      phoneNumberId: sender.phoneNumberId,
      displayPhoneNumber: sender.displayPhoneNumber,
    },
    {
      messageId: message.providerMessageId,
      status: state,
      at: new Date(at),
      recipient: message.to,
      ...(message.correlation !== undefined ? { correlation: message.correlation } : {}),
      ...(state === 'failed' && failureCode !== undefined ? { error: { code: failureCode, ...whatsAppErrorText(failureCode) } } : {}),
      category: message.type === 'template' ? 'utility' : 'service',
      ...(message.pricingType !== undefined ? { pricingType: message.pricingType } : {}),
    },
  )
  const body = encodeWhatsAppWebhookBody(payload)
  return {
    provider: 'whatsapp-cloud',
    url: sender.webhookUrl ?? '',
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signWhatsAppPayload(body, sender.appSecret ?? defaultAppSecret),
    },
  }
}

/** A status callback as Twilio posts it to the send's StatusCallback URL, signed with the auth token. */
export function smsStatusJob(
  account: SimTwilioAccount,
  message: RecordedMessage,
  callbackUrl: string,
  state: 'sent' | 'delivered' | 'undelivered' | 'failed',
  errorCode: number | undefined,
): CallbackJob {
  const params = twilioStatusParams({
    accountSid: account.accountSid,
    messageSid: message.providerMessageId,
    // The number, or the alphanumeric sender ID the message was sent from.
    from: message.sender,
    to: message.to,
    status: state,
    ...(errorCode !== undefined ? { errorCode } : {}),
  })
  return {
    provider: 'twilio',
    url: callbackUrl,
    body: encodeFormBody(params),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': computeTwilioSignature(account.authToken, callbackUrl, params),
    },
  }
}
