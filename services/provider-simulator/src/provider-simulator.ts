import { CallbackDispatcher, type CallbackOutcome } from './callback-dispatcher.js'
import { FaultInjector } from './fault-plan.js'
import { MessageRecord, type RecordFilter, type RecordedMessage } from './message-record.js'
import {
  resolveSimulatorOptions,
  type SimTwilioAccount,
  type SimWhatsAppSender,
  type SimulatorOptions,
  type SimulatorOptionsInput,
} from './simulator-config.js'
import { SenderRegistry } from './simulator-senders.js'
import { smsStatusJob, whatsAppStatusJob } from './status-webhook-jobs.js'
import { TemplateCatalog, type SimTemplate, type SimTemplateInput, type SimTemplateUpdate } from './template-catalog.js'
import { PairRateGate, SlidingWindowGate } from './throughput-gate.js'
import { fixedAttemptsRetry, PROVIDER_WEBHOOK_RETRIES } from './webhook-retry-policy.js'

/** What a simulated endpoint does with a request: answer, or hold it (a timeout). */
export type SimReply =
  | { readonly kind: 'reply'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'hold'; readonly holdMs?: number }

/** Requests the simulated providers refused, by reason. */
export interface RejectionCounts {
  unauthorized: number
  invalid: number
  throttled: number
  pairRateLimited: number
  optedOut: number
  /** Template sends the business account's catalog refused (132000, 132001, 132015, 132016; 131008, 131009 for buttons). */
  template: number
  injectedErrors: number
  timeouts: number
}

export interface SimulatorLimits {
  defaultThroughputPerSecond: number
  pairRatePerSecond?: number
  pairBurst: number
}

const zeroRejections = (): RejectionCounts => ({
  unauthorized: 0,
  invalid: 0,
  throttled: 0,
  pairRateLimited: 0,
  optedOut: 0,
  template: 0,
  injectedErrors: 0,
  timeouts: 0,
})

const DAY_MS = 24 * 60 * 60 * 1000

/** The number's WhatsApp Business Account id (webhook `entry.id`). */
export const businessAccountOf = (sender: SimWhatsAppSender) => sender.businessAccountId ?? `waba-${sender.phoneNumberId}`

/**
 * The simulated providers' state and behaviour, without HTTP: the routes in
 * simulator-app.ts and the library API both drive this.
 */
export class ProviderSimulator {
  readonly options: SimulatorOptions
  readonly senders = new SenderRegistry()
  readonly record = new MessageRecord()
  readonly faults: FaultInjector
  readonly callbacks: CallbackDispatcher
  readonly rejections: RejectionCounts = zeroRejections()
  readonly limits: SimulatorLimits
  /** Message templates per business account (WABA id). */
  readonly templates = new TemplateCatalog()
  private readonly gate = new SlidingWindowGate(1000)
  private readonly pairGate = new PairRateGate()
  /** Last inbound time (epoch ms) per `${phoneNumberId}|${citizen}`: the customer-service window. */
  private readonly lastInbound = new Map<string, number>()
  /** `${citizen}|${businessNumber}` pairs that texted STOP to an SMS number. */
  private readonly optedOut = new Set<string>()
  private readonly throughputOverrides = new Map<string, number>()
  private idCounter = 0

  constructor(input: SimulatorOptionsInput = {}) {
    this.options = resolveSimulatorOptions(input)
    this.limits = {
      defaultThroughputPerSecond: this.options.defaultThroughputPerSecond,
      ...(this.options.pairRatePerSecond !== null ? { pairRatePerSecond: this.options.pairRatePerSecond } : {}),
      pairBurst: this.options.pairBurst,
    }
    for (const sender of this.options.whatsapp) this.registerWhatsAppSender(sender)
    for (const account of this.options.twilio) this.senders.addTwilio(account)
    this.faults = new FaultInjector(this.options.seed, this.options.faults)
    const fixedAttempts = this.options.callbackMaxAttempts
    this.callbacks = new CallbackDispatcher({
      concurrency: this.options.callbackConcurrency,
      timeoutMs: this.options.callbackTimeoutMs,
      // callbackMaxAttempts overrides both providers' schedules (kept for the runs that set it).
      retryPolicies:
        fixedAttempts === undefined
          ? PROVIDER_WEBHOOK_RETRIES
          : { 'whatsapp-cloud': fixedAttemptsRetry(fixedAttempts), twilio: fixedAttemptsRetry(fixedAttempts) },
      timeScale: this.options.timeScale,
      maxRetrying: this.options.callbackMaxRetrying,
    })
  }

  /** Epoch ms with sub-millisecond precision, monotonic within the process. */
  now(): number {
    return performance.timeOrigin + performance.now()
  }

  /** A unique id suffix: counter plus randomness, so restarts do not collide. */
  nextId(): string {
    this.idCounter++
    return `${this.idCounter.toString(36).padStart(6, '0')}${Math.random().toString(36).slice(2, 10)}`
  }

  // --- limits --------------------------------------------------------------------------------

  /** The throughput cap of a sender key (phone_number_id or SMS number). */
  capOf(sender: string, configured: number | undefined): number {
    return this.throughputOverrides.get(sender) ?? configured ?? this.limits.defaultThroughputPerSecond
  }

  setLimits(update: {
    defaultThroughputPerSecond?: number
    pairRatePerSecond?: number | null
    pairBurst?: number
    sender?: string
    throughputPerSecond?: number
  }) {
    if (update.defaultThroughputPerSecond !== undefined) this.limits.defaultThroughputPerSecond = update.defaultThroughputPerSecond
    if (update.pairRatePerSecond === null) delete this.limits.pairRatePerSecond
    else if (update.pairRatePerSecond !== undefined) this.limits.pairRatePerSecond = update.pairRatePerSecond
    if (update.pairBurst !== undefined) this.limits.pairBurst = update.pairBurst
    if (update.sender !== undefined && update.throughputPerSecond !== undefined) {
      this.throughputOverrides.set(update.sender, update.throughputPerSecond)
    }
    return { ...this.limits, perSender: Object.fromEntries(this.throughputOverrides) }
  }

  /** Takes one slot of the sender's throughput, or refuses. */
  admitThroughput(sender: string, cap: number, now: number): boolean {
    return this.gate.tryAcquire(sender, cap, now)
  }

  /** Takes one slot of the (sender, recipient) pair rate, or refuses. Always admits when off. */
  admitPair(sender: string, to: string, now: number): boolean {
    const rate = this.limits.pairRatePerSecond
    if (rate === undefined) return true
    return this.pairGate.tryAcquire(`${sender}|${to}`, rate, this.limits.pairBurst, now)
  }

  // --- customer-service window and opt-outs ------------------------------------------------------

  noteInbound(phoneNumberId: string, citizen: string, at: number) {
    this.lastInbound.set(`${phoneNumberId}|${citizen}`, at)
  }

  isWindowOpen(phoneNumberId: string, citizen: string, now: number): boolean {
    const last = this.lastInbound.get(`${phoneNumberId}|${citizen}`)
    return last !== undefined && now - last < DAY_MS
  }

  setOptOut(citizen: string, businessNumber: string, optedOut: boolean) {
    if (optedOut) this.optedOut.add(`${citizen}|${businessNumber}`)
    else this.optedOut.delete(`${citizen}|${businessNumber}`)
  }

  isOptedOut(citizen: string, businessNumber: string): boolean {
    return this.optedOut.has(`${citizen}|${businessNumber}`)
  }

  // --- status callbacks ------------------------------------------------------------------------

  /** Schedules a WhatsApp number's status webhooks for an accepted message (none without a URL). */
  scheduleWhatsAppStatuses(sender: SimWhatsAppSender, message: RecordedMessage, failureCode?: number) {
    const states = failureCode === undefined ? this.options.whatsappStatuses : (['failed'] as const)
    let delay = 0
    for (const state of states) {
      const fault = this.faults.statusCallback()
      delay += this.options.statusDelayMs + fault.delayMs
      if (!sender.webhookUrl) continue
      if (fault.drop) {
        this.callbacks.drop()
        continue
      }
      this.callbacks.enqueue(whatsAppStatusJob(this.options.whatsappAppSecret, sender, message, state, failureCode, this.now() + delay), delay)
    }
  }

  /** Schedules an SMS message's status callbacks to its StatusCallback URL (none without one). */
  scheduleSmsStatuses(account: SimTwilioAccount, message: RecordedMessage, callbackUrl: string | undefined, failureCode?: number) {
    const states = failureCode === undefined ? this.options.smsStatuses : (['sent', 'undelivered'] as const)
    let delay = 0
    for (const state of states) {
      const fault = this.faults.statusCallback()
      delay += this.options.statusDelayMs + fault.delayMs
      if (!callbackUrl) continue
      if (fault.drop) {
        this.callbacks.drop()
        continue
      }
      const errorCode = state === 'undelivered' ? failureCode : undefined
      this.callbacks.enqueue(smsStatusJob(account, message, callbackUrl, state, errorCode), delay)
    }
  }

  /** Posts one status for a recorded message now (a late `read`, a `failed` after `delivered`...). */
  async emitStatus(input: {
    providerMessageId: string
    state: 'sent' | 'delivered' | 'read' | 'failed' | 'undelivered'
    errorCode?: number
  }): Promise<CallbackOutcome | { ok: false; reason: string }> {
    const message = this.record.get(input.providerMessageId)
    if (!message) return { ok: false, reason: 'unknown message' }
    if (message.provider === 'whatsapp-cloud') {
      const sender = this.senders.whatsapp(message.sender)
      if (!sender?.webhookUrl) return { ok: false, reason: 'no webhook URL for this sender' }
      const state = input.state === 'undelivered' ? 'failed' : input.state
      const code = state === 'failed' ? (input.errorCode ?? 131026) : undefined
      return this.callbacks.deliver(whatsAppStatusJob(this.options.whatsappAppSecret, sender, message, state, code, this.now()))
    }
    const number = this.senders.twilioNumber(message.senderNumber)
    const callbackUrl = this.smsCallbackUrls.get(message.providerMessageId)
    if (!number || !callbackUrl) return { ok: false, reason: 'no StatusCallback URL for this message' }
    const state = input.state === 'read' ? 'delivered' : input.state
    const code = state === 'failed' || state === 'undelivered' ? (input.errorCode ?? 30003) : undefined
    return this.callbacks.deliver(smsStatusJob(number.account, message, callbackUrl, state, code))
  }

  /** StatusCallback URL per SMS sid (only for sends that gave one). */
  readonly smsCallbackUrls = new Map<string, string>()

  // --- controls ------------------------------------------------------------------------------

  /** Adds or replaces a WhatsApp number; its `templates` join its business account's catalog. */
  registerWhatsAppSender(sender: SimWhatsAppSender) {
    this.senders.addWhatsApp(sender)
    for (const template of sender.templates ?? []) this.templates.set(businessAccountOf(sender), template)
  }

  /** Adds or replaces a template of a business account (by WABA id, phone_number_id or number). */
  setTemplate(account: string, template: SimTemplateInput): SimTemplate & { businessAccountId: string } {
    const businessAccountId = this.businessAccountId(account)
    return { businessAccountId, ...this.templates.set(businessAccountId, template) }
  }

  /** Changes a template's status or quality rating (every translation, or one `language`). */
  updateTemplate(account: string, name: string, update: SimTemplateUpdate, language?: string) {
    const businessAccountId = this.businessAccountId(account)
    return this.templates.update(businessAccountId, name, language, update).map((t) => ({ businessAccountId, ...t }))
  }

  /** A business account id from a WABA id, or from one of its numbers (phone_number_id or E.164). */
  businessAccountId(account: string): string {
    const sender = this.senders.whatsapp(account)
    return sender ? businessAccountOf(sender) : account
  }

  registerTwilioAccount(account: SimTwilioAccount) {
    this.senders.addTwilio(account)
  }

  stats(filter: RecordFilter = {}) {
    return {
      record: this.record.stats(filter),
      rejections: { ...this.rejections },
      callbacks: this.callbacks.stats(),
    }
  }

  /** Forgets messages, counters, windows, opt-outs and faults; keeps senders, templates and limits. */
  reset() {
    this.record.clear()
    this.smsCallbackUrls.clear()
    Object.assign(this.rejections, zeroRejections())
    this.callbacks.resetStats()
    this.gate.clear()
    this.pairGate.clear()
    this.lastInbound.clear()
    this.optedOut.clear()
    this.faults.reset()
  }

  close() {
    this.callbacks.close()
  }
}
