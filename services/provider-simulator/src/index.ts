// @banditore/provider-simulator: a stand-in for the WhatsApp Cloud API and a Twilio-compatible SMS
// gateway, for the local platform, the tests and the benchmarks. It fails the way the real APIs
// fail; see its README and its OpenAPI page.

export { startSimulator, type RunningSimulator, type StartSimulatorOptions } from './start-simulator.js'
export { ProviderSimulator, type SimReply, type RejectionCounts, type SimulatorLimits } from './provider-simulator.js'
export { buildSimulatorApp, type SimulatorApp, type SimulatorAppOptions } from './simulator-app.js'
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
} from './simulator-config.js'
export { FaultPlanSchema, FaultRuleSchema, InvalidFaultPlanError, type FaultPlan, type FaultPlanInput, type FaultRule } from './fault-plan.js'
export { maxPerSlidingWindow, type RecordedMessage, type RecordFilter, type RecordStats } from './message-record.js'
export { SimulatorRequestError, type InjectWhatsAppInput, type InjectSmsInput, type InjectedMessage, type InjectedSms } from './citizen-message-injector.js'
export type { CallbackOutcome, CallbackStats } from './callback-dispatcher.js'
export {
  META_WEBHOOK_RETRY,
  TWILIO_WEBHOOK_RETRY,
  PROVIDER_WEBHOOK_RETRIES,
  retrySchedule,
  type WebhookProvider,
  type WebhookRetryPolicy,
} from './webhook-retry-policy.js'
export { SimTemplateSchema, SAFETY_POLL_TEMPLATE_NAME, type SimTemplate, type SimTemplateButton, type SimTemplateInput, type SimTemplateUpdate } from './template-catalog.js'
/** The deployable, as its main.ts runs it. */
export { simulatorService, loadSimulatorServiceConfig, type SimulatorServiceConfig } from './simulator-service.js'
