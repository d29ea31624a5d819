// @banditore/providers: WhatsApp Cloud API and Twilio-compatible SMS adapters (send, parse and
// verify webhooks, classify errors) and the provider simulator.

export {
  normalizePhoneNumber,
  isNormalizablePhoneNumber,
  e164FromProviderDigits,
  providerDigitsFromE164,
  InvalidPhoneNumberError,
  type NormalizePhoneNumberOptions,
  type PhoneNumberValidation,
} from './phone-number.js'

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
  TokenBucketRateLimiter,
  senderKeys,
  type SendRateLimiter,
  type SendPriority,
  type DispatchSlot,
  type TokenBucketRate,
  type TokenBucketRateLimiterOptions,
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
  type TemplateParameter,
  type SendResult,
} from './whatsapp-cloud-client.js'
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
  type WhatsAppBusinessNumber,
  type WhatsAppStatusSpec,
} from './whatsapp-webhook-builder.js'

export {
  createTwilioSmsClient,
  statusCallbackUrlFor,
  CORRELATION_QUERY_PARAMETER,
  type TwilioSmsClient,
  type TwilioSmsClientOptions,
  type TwilioAccount,
  type SendSmsInput,
} from './twilio-sms-client.js'
export { parseTwilioWebhook, type ParseTwilioWebhookOptions } from './twilio-webhook-parser.js'
export { computeTwilioSignature, verifyTwilioSignature } from './twilio-signature.js'
export { twilioInboundParams, twilioStatusParams, type TwilioInboundSpec, type TwilioStatusSpec } from './twilio-webhook-builder.js'
export { parseFormBody, encodeFormBody, formValue, type FormParams } from './form-params.js'

export { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './simulator/start-simulator.js'
export { ProviderSimulator, type SimReply, type RejectionCounts, type SimulatorLimits } from './simulator/provider-simulator.js'
export { buildSimulatorApp, type SimulatorApp, type SimulatorAppOptions } from './simulator/simulator-app.js'
export {
  loadSimulatorConfig,
  resolveSimulatorOptions,
  SimulatorConfigError,
  SimulatorOptionsSchema,
  SimWhatsAppSenderSchema,
  SimTwilioAccountSchema,
  type SimulatorOptions,
  type SimulatorOptionsInput,
  type SimWhatsAppSender,
  type SimTwilioAccount,
} from './simulator/simulator-config.js'
export { FaultPlanSchema, FaultRuleSchema, InvalidFaultPlanError, type FaultPlan, type FaultPlanInput, type FaultRule } from './simulator/fault-plan.js'
export { maxPerSlidingWindow, type RecordedMessage, type RecordFilter, type RecordStats } from './simulator/message-record.js'
export { SimulatorRequestError, type InjectWhatsAppInput, type InjectSmsInput, type InjectedMessage, type InjectedSms } from './simulator/citizen-message-injector.js'
export type { CallbackOutcome, CallbackStats } from './simulator/callback-dispatcher.js'
