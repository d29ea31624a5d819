import http from 'node:http'
import https from 'node:https'
import { nextRetryDelayMs, PROVIDER_WEBHOOK_RETRIES, type WebhookAttemptFailure, type WebhookProvider, type WebhookRetryPolicy } from './webhook-retry-policy.js'

/** One webhook POST: URL, body as sent (signed), headers, and whose it is (its retry schedule). */
export interface CallbackJob {
  readonly provider: WebhookProvider
  readonly url: string
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

export interface CallbackOutcome {
  readonly ok: boolean
  /** HTTP status of the last attempt; undefined when it never got an answer. */
  readonly status?: number
  readonly attempts: number
}

export interface CallbackStats {
  /** Jobs handed over (including delayed ones not yet posted). */
  readonly queued: number
  readonly delivered: number
  /** Delivered by a retry (the first attempt failed). */
  readonly deliveredAfterRetry: number
  /** Given up: the provider's schedule ended, or the retry backlog was full. */
  readonly failed: number
  /** Of `failed`: given up because `maxRetrying` webhooks were already waiting for a retry. */
  readonly retryOverflow: number
  /** Dropped on purpose (fault injection). */
  readonly dropped: number
  /** Waiting, delayed, in flight or waiting for a retry. */
  readonly pending: number
  /** Of `pending`: failed at least once and waiting for their next attempt. */
  readonly retrying: number
  /** POSTs made, retries included. */
  readonly attempts: number
}

export interface CallbackDispatcherOptions {
  readonly concurrency: number
  /** Per-attempt deadline, ms. */
  readonly timeoutMs: number
  /** Retry schedule per provider. Default: each provider's own (PROVIDER_WEBHOOK_RETRIES). */
  readonly retryPolicies?: Readonly<Record<WebhookProvider, WebhookRetryPolicy>>
  /** Provider ms per real ms: every retry delay is divided by it. Default 1 (real time). */
  readonly timeScale?: number
  /** Webhooks waiting for a retry, at most (memory bound); a failure past it is given up. Default 100 000. */
  readonly maxRetrying?: number
}

interface PendingWebhook {
  readonly job: CallbackJob
  /** The attempt about to be made, 1 for the first. */
  attempt: number
  /** Retry delays waited so far, provider ms (what the schedule's maximum age counts). */
  elapsedMs: number
  lastStatus?: number
  readonly done?: (outcome: CallbackOutcome) => void
}

type AttemptResult = { readonly status: number } | { readonly failure: Exclude<WebhookAttemptFailure, 'error-status'> }

/** setTimeout's longest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1

const zeroCounts = () => ({ queued: 0, delivered: 0, deliveredAfterRetry: 0, failed: 0, retryOverflow: 0, dropped: 0, attempts: 0 })

/**
 * Posts webhooks (statuses, inbound messages) with bounded concurrency, retrying failures on
 * each provider's schedule (webhook-retry-policy.ts) on a compressible clock. Order between jobs
 * is not guaranteed (as with the providers).
 */
export class CallbackDispatcher {
  private readonly waiting: PendingWebhook[] = []
  private inFlight = 0
  /** First attempts waiting for their delay. */
  private scheduled = 0
  private readonly delayTimers = new Set<ReturnType<typeof setTimeout>>()
  /** Webhooks waiting for a retry, by their timer. */
  private readonly retryTimers = new Map<ReturnType<typeof setTimeout>, PendingWebhook>()
  private settleWaiters: Array<() => void> = []
  private closed = false
  private counts = zeroCounts()
  private readonly retryPolicies: Readonly<Record<WebhookProvider, WebhookRetryPolicy>>
  private readonly timeScale: number
  private readonly maxRetrying: number

  // node:http with keep-alive costs a fraction of fetch's CPU per POST; webhooks are the
  // simulator's bulk traffic (up to three per accepted message).
  private readonly httpAgent: http.Agent
  private readonly httpsAgent: https.Agent

  constructor(private readonly options: CallbackDispatcherOptions) {
    this.retryPolicies = options.retryPolicies ?? PROVIDER_WEBHOOK_RETRIES
    this.timeScale = options.timeScale ?? 1
    this.maxRetrying = options.maxRetrying ?? 100_000
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: options.concurrency })
  }

  /** Posts in the background after `delayMs` (real ms, not scaled). */
  enqueue(job: CallbackJob, delayMs = 0) {
    if (this.closed) return
    this.counts.queued++
    const item: PendingWebhook = { job, attempt: 1, elapsedMs: 0 }
    if (delayMs <= 0) {
      this.push(item)
      return
    }
    this.scheduled++
    const timer = setTimeout(() => {
      this.delayTimers.delete(timer)
      this.scheduled--
      this.push(item)
    }, Math.min(delayMs, MAX_TIMER_MS))
    this.delayTimers.add(timer)
  }

  /**
   * Posts now (through the same queue) and resolves with the final outcome: delivered, given up
   * after the provider's retries (as long as its schedule, divided by the time scale), or
   * abandoned by `close()`.
   */
  deliver(job: CallbackJob): Promise<CallbackOutcome> {
    if (this.closed) return Promise.resolve({ ok: false, attempts: 0 })
    this.counts.queued++
    return new Promise((resolve) => this.push({ job, attempt: 1, elapsedMs: 0, done: resolve }))
  }

  /** Counts a callback deliberately never posted. */
  drop() {
    this.counts.dropped++
  }

  stats(): CallbackStats {
    return { ...this.counts, pending: this.pending(), retrying: this.retryTimers.size }
  }

  resetStats() {
    this.counts = zeroCounts()
  }

  /** Resolves when nothing is waiting, delayed, in flight or waiting for a retry. */
  settle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve()
    return new Promise((resolve) => this.settleWaiters.push(resolve))
  }

  /** Stops posting: pending jobs and retries are abandoned (their timers cleared), `deliver()` callers answered. */
  close() {
    this.closed = true
    for (const timer of this.delayTimers) clearTimeout(timer)
    this.delayTimers.clear()
    this.scheduled = 0
    const abandoned = [...this.waiting, ...this.retryTimers.values()]
    for (const timer of this.retryTimers.keys()) clearTimeout(timer)
    this.retryTimers.clear()
    this.waiting.length = 0
    for (const item of abandoned) item.done?.(this.outcomeOf(item, false, item.attempt - 1))
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
    this.notifySettled()
  }

  private pending() {
    return this.waiting.length + this.inFlight + this.scheduled + this.retryTimers.size
  }

  private push(item: PendingWebhook) {
    if (this.closed) {
      item.done?.(this.outcomeOf(item, false, item.attempt - 1))
      return
    }
    this.waiting.push(item)
    this.pump()
  }

  private pump() {
    while (this.inFlight < this.options.concurrency && this.waiting.length > 0) {
      const item = this.waiting.shift()
      if (!item) break
      this.inFlight++
      void this.post(item).finally(() => {
        this.inFlight--
        this.pump()
        this.notifySettled()
      })
    }
  }

  private async post(item: PendingWebhook) {
    this.counts.attempts++
    const result = await this.postOnce(item.job)
    if ('status' in result) item.lastStatus = result.status
    if ('status' in result && result.status >= 200 && result.status < 300) {
      this.counts.delivered++
      if (item.attempt > 1) this.counts.deliveredAfterRetry++
      item.done?.(this.outcomeOf(item, true, item.attempt))
      return
    }
    const failure = 'status' in result ? 'error-status' : result.failure
    const delayMs = this.closed ? undefined : nextRetryDelayMs(this.retryPolicies[item.job.provider], failure, item.attempt - 1, item.elapsedMs)
    if (delayMs === undefined || this.retryTimers.size >= this.maxRetrying) {
      this.counts.failed++
      if (delayMs !== undefined) this.counts.retryOverflow++
      item.done?.(this.outcomeOf(item, false, item.attempt))
      return
    }
    item.attempt++
    item.elapsedMs += delayMs
    this.retryLater(item, delayMs / this.timeScale)
  }

  private retryLater(item: PendingWebhook, realDelayMs: number) {
    if (realDelayMs <= 0) {
      this.push(item)
      return
    }
    const timer = setTimeout(() => {
      this.retryTimers.delete(timer)
      this.push(item)
    }, Math.min(realDelayMs, MAX_TIMER_MS))
    this.retryTimers.set(timer, item)
  }

  private outcomeOf(item: PendingWebhook, ok: boolean, attempts: number): CallbackOutcome {
    return { ok, ...(item.lastStatus !== undefined ? { status: item.lastStatus } : {}), attempts }
  }

  /** One POST: the HTTP status, or which way it failed without one. */
  private postOnce(job: CallbackJob): Promise<AttemptResult> {
    return new Promise((resolve) => {
      let url: URL
      try {
        url = new URL(job.url)
      } catch {
        resolve({ failure: 'no-connection' })
        return
      }
      const secure = url.protocol === 'https:'
      const body = Buffer.from(job.body)
      // Whether the connection (TLS included) was made: Twilio retries only attempts that never connected.
      let connected = false
      const request = (secure ? https : http).request(
        url,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: { ...job.headers, 'content-length': String(body.length) },
          timeout: this.options.timeoutMs,
        },
        (response) => {
          response.resume()
          response.on('end', () => resolve({ status: response.statusCode ?? 0 }))
          response.on('error', () => resolve({ failure: 'no-answer' }))
        },
      )
      request.on('socket', (socket) => {
        if (!socket.connecting) connected = true
        else socket.once(secure ? 'secureConnect' : 'connect', () => (connected = true))
      })
      request.on('timeout', () => request.destroy(new Error('webhook timeout')))
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive socket the receiver had closed (it restarted) is our artefact, not the
        // receiver's answer: a provider would have connected afresh, so it counts as no connection.
        const staleSocket = request.reusedSocket && error.code === 'ECONNRESET'
        resolve({ failure: connected && !staleSocket ? 'no-answer' : 'no-connection' })
      })
      request.end(body)
    })
  }

  private notifySettled() {
    if (this.pending() !== 0) return
    const waiters = this.settleWaiters
    this.settleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
