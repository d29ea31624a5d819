// @banditore/providers: WhatsApp Cloud API and Twilio-compatible SMS adapters (send, parse and
// verify webhooks, classify errors). Test stand-ins are behind `@banditore/providers/testing`; the
// provider simulator is its own deployable, services/provider-simulator.

export {
  normalizePhoneNumber,
  isNormalizablePhoneNumber,
  e164FromProviderDigits,
  providerDigitsFromE164,
  InvalidPhoneNumberError,
  receivingNumberProblem,
  type NormalizePhoneNumberOptions,
  type PhoneNumberValidation,
  type ReceivingNumberProblem,
} from './phone-number.js'
/** A WhatsApp business-scoped user id (a username-only citizen's address), as the contracts define it. */
export { isBsuid } from '@banditore/contracts'

export {
  ProviderError,
  OutsideCustomerServiceWindowError,
  CUSTOMER_SERVICE_WINDOW_MS,
  retryAfterMsFrom,
  redactPhoneNumbers,
  type OutboundProvider,
  type ProviderErrorKind,
  type ProviderErrorDetails,
} from './provider-error.js'
export { classifyWhatsAppError, classifyWhatsAppErrorCode } from './whatsapp-error-classifier.js'
export { classifyTwilioError, classifyTwilioErrorCode } from './twilio-error-classifier.js'
export { WebhookPayloadError } from './webhook-payload-error.js'

export {
  senderKeys,
  type SendRateLimiter,
  type SendPriority,
  type DispatchSlot,
} from './send-rate-limiter.js'
export { DispatchSlotMissedError, type FetchFunction, type ProviderRequestInit, type SlotDispatchingFetch } from './provider-request.js'

export {
  toInboundMessage,
  toDeliveryStatus,
  type InboundMessageEvent,
  type DeliveryStatusEvent,
  type InboundMessageFields,
  type DeliveryStatusFields,
  type ParsedWebhook,
  type ProviderEndpoint,
  type ProviderErrorEntry,
  type RejectedWebhookItem,
} from './provider-events.js'

export {
  createWhatsAppCloudClient,
  type WhatsAppCloudClient,
  type WhatsAppCloudClientOptions,
  type WhatsAppSender,
  type CustomerServiceWindow,
  type SendTextInput,
  type SendTemplateInput,
  type SendMediaInput,
  type SendInteractiveInput,
  type TemplateParameter,
  type TemplateQuickReplyButton,
  type SendResult,
} from './whatsapp-cloud-client.js'
export {
  INTERACTIVE_LIMITS,
  InteractiveMessageError,
  validateInteractive,
  type InteractiveContent,
  type InteractiveList,
  type InteractiveListRow,
  type InteractiveListSection,
  type InteractiveButtons,
} from './whatsapp-interactive.js'
export {
  listWhatsAppTemplates,
  type ListWhatsAppTemplatesInput,
  type WhatsAppTemplateInfo,
  type WhatsAppTemplateStatus,
  type WhatsAppTemplateCategory,
  type WhatsAppTemplateQuality,
} from './whatsapp-template-list.js'
export { parseWhatsAppWebhook, type ParseWebhookOptions } from './whatsapp-webhook-parser.js'
export {
  signWhatsAppPayload,
  verifyWhatsAppSignature,
  answerWhatsAppSubscription,
  type SignatureCheck,
  type SubscriptionAnswer,
} from './whatsapp-signature.js'
export {
  buildWhatsAppStatusWebhook,
  buildWhatsAppMessageWebhook,
  whatsAppWebhookEnvelope,
  whatsAppStatusValue,
  whatsAppMessagesValue,
  encodeWhatsAppWebhookBody,
  type WhatsAppBusinessNumber,
  type WhatsAppStatusSpec,
} from './whatsapp-webhook-builder.js'

export {
  ALPHANUMERIC_SENDER_ID,
  createTwilioSmsClient,
  statusCallbackUrlFor,
  CORRELATION_QUERY_PARAMETER,
  type TwilioSmsClient,
  type TwilioSmsClientOptions,
  type TwilioAccount,
  type SendSmsInput,
} from './twilio-sms-client.js'
export { parseTwilioWebhook, type ParseTwilioWebhookOptions } from './twilio-webhook-parser.js'
export {
  computeTwilioSignature,
  verifyTwilioSignature,
  parseTwilioSignatureSettings,
  TWILIO_SIGNATURE_SETTINGS_HEADER,
  type TwilioSignatureAlgorithm,
} from './twilio-signature.js'
export { twilioInboundParams, twilioStatusParams, type TwilioInboundSpec, type TwilioStatusSpec } from './twilio-webhook-builder.js'
export { parseFormBody, encodeFormBody, formValue, type FormParams } from './form-params.js'
