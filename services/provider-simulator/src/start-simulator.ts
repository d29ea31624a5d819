import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import type { CallbackOutcome, CallbackStats } from './callback-dispatcher.js'
import { injectSms, injectWhatsAppMessage, type InjectSmsInput, type InjectWhatsAppInput, type InjectedMessage, type InjectedSms } from './citizen-message-injector.js'
import type { FaultPlan, FaultPlanInput } from './fault-plan.js'
import type { RecordFilter, RecordedMessage } from './message-record.js'
import { ProviderSimulator } from './provider-simulator.js'
import { buildSimulatorApp } from './simulator-app.js'
import type { SimTwilioAccount, SimWhatsAppSender, SimulatorOptionsInput } from './simulator-config.js'
import type { SimTemplateInput, SimTemplateUpdate } from './template-catalog.js'

export interface StartSimulatorOptions extends SimulatorOptionsInput {
  /** Fastify logger option; default off. */
  readonly logger?: FastifyServerOptions['logger']
}

/** A listening simulator, driven in-process (tests, benchmarks) or over HTTP (/_sim). */
export interface RunningSimulator {
  /** Base URL: use it as the adapters' `baseUrl` (Graph API and Twilio paths both live here). */
  readonly url: string
  readonly simulator: ProviderSimulator
  readonly app: FastifyInstance
  setFaults(plan: FaultPlanInput): FaultPlan
  clearFaults(): void
  setLimits(update: Parameters<ProviderSimulator['setLimits']>[0]): ReturnType<ProviderSimulator['setLimits']>
  registerWhatsAppSender(sender: SimWhatsAppSender): void
  registerTwilioAccount(account: SimTwilioAccount): void
  /** Adds or replaces a message template of a business account (WABA id, phone_number_id or number). */
  setTemplate(account: string, template: SimTemplateInput): ReturnType<ProviderSimulator['setTemplate']>
  /** Changes a template's status or quality rating, e.g. `{ status: 'PAUSED' }` (every translation, or one `language`). */
  updateTemplate(account: string, name: string, update: SimTemplateUpdate, language?: string): ReturnType<ProviderSimulator['updateTemplate']>
  injectWhatsApp(input: InjectWhatsAppInput): Promise<InjectedMessage>
  injectSms(input: InjectSmsInput): Promise<InjectedSms>
  emitStatus(input: Parameters<ProviderSimulator['emitStatus']>[0]): Promise<CallbackOutcome | { ok: false; reason: string }>
  messages(filter?: RecordFilter): RecordedMessage[]
  stats(filter?: RecordFilter): ReturnType<ProviderSimulator['stats']>
  /** Per sender, the most messages accepted in any sliding window of `windowMs`. */
  maxInWindow(windowMs: number, filter?: RecordFilter): Record<string, number>
  /**
   * Waits until every scheduled webhook was posted or given up, retries included: with Meta's
   * schedule and a receiver that stays down, that is 7 days of provider time (see `timeScale`).
   */
  settle(): Promise<CallbackStats>
  reset(): void
  /** Drops held requests, stops posting webhooks, closes the server. */
  stop(): Promise<void>
}

/** Starts the provider simulator on `host:port` (default 127.0.0.1 and a free port). */
export async function startSimulator(options: StartSimulatorOptions = {}): Promise<RunningSimulator> {
  const { logger, ...simulatorOptions } = options
  const sim = new ProviderSimulator(simulatorOptions)
  const { app, releaseHeld } = buildSimulatorApp(sim, { logger })
  const address = await app.listen({ host: sim.options.host, port: sim.options.port })
  const url = address.replace('://0.0.0.0', '://127.0.0.1').replace('://[::]', '://127.0.0.1')
  let stopped = false
  return {
    url,
    simulator: sim,
    app,
    setFaults: (plan) => sim.faults.set(plan),
    clearFaults: () => sim.faults.reset(),
    setLimits: (update) => sim.setLimits(update),
    registerWhatsAppSender: (sender) => sim.registerWhatsAppSender(sender),
    registerTwilioAccount: (account) => sim.registerTwilioAccount(account),
    setTemplate: (account, template) => sim.setTemplate(account, template),
    updateTemplate: (account, name, update, language) => sim.updateTemplate(account, name, update, language),
    injectWhatsApp: (input) => injectWhatsAppMessage(sim, input),
    injectSms: (input) => injectSms(sim, input),
    emitStatus: (input) => sim.emitStatus(input),
    messages: (filter) => sim.record.query(filter),
    stats: (filter) => sim.stats(filter),
    maxInWindow: (windowMs, filter) => sim.record.maxInWindow(windowMs, filter),
    settle: async () => {
      await sim.callbacks.settle()
      return sim.callbacks.stats()
    },
    reset: () => sim.reset(),
    async stop() {
      if (stopped) return
      stopped = true
      releaseHeld()
      sim.close()
      await app.close()
    },
  }
}
