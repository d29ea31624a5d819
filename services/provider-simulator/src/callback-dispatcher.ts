import http from 'node:http'
import https from 'node:https'

/** One webhook POST: URL, body as sent (signed), headers. */
export interface CallbackJob {
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
  /** Gave up after every attempt failed. */
  readonly failed: number
  /** Dropped on purpose (fault injection). */
  readonly dropped: number
  readonly pending: number
  readonly attempts: number
}

export interface CallbackDispatcherOptions {
  readonly concurrency: number
  readonly maxAttempts: number
  readonly timeoutMs: number
  /** First retry delay, doubled per attempt. */
  readonly retryBaseMs?: number
}

/**
 * Posts webhooks (statuses, inbound messages) with bounded concurrency, retrying failures with
 * backoff as the providers do. Order between jobs is not guaranteed (as with the providers).
 */
export class CallbackDispatcher {
  private readonly waiting: Array<{ job: CallbackJob; attempt: number; done?: (outcome: CallbackOutcome) => void }> = []
  private inFlight = 0
  private scheduled = 0
  private readonly timers = new Set<ReturnType<typeof setTimeout>>()
  private settleWaiters: Array<() => void> = []
  private closed = false
  private counts = { queued: 0, delivered: 0, failed: 0, dropped: 0, attempts: 0 }

  // node:http with keep-alive costs a fraction of fetch's CPU per POST; webhooks are the
  // simulator's bulk traffic (up to three per accepted message).
  private readonly httpAgent: http.Agent
  private readonly httpsAgent: https.Agent

  constructor(private readonly options: CallbackDispatcherOptions) {
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency })
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: options.concurrency })
  }

  /** Posts in the background after `delayMs`. */
  enqueue(job: CallbackJob, delayMs = 0) {
    this.counts.queued++
    this.later(delayMs, () => this.push({ job, attempt: 1 }))
  }

  /** Posts now (through the same queue) and resolves with the final outcome. */
  deliver(job: CallbackJob): Promise<CallbackOutcome> {
    this.counts.queued++
    return new Promise((resolve) => this.push({ job, attempt: 1, done: resolve }))
  }

  /** Counts a callback deliberately never posted. */
  drop() {
    this.counts.dropped++
  }

  stats(): CallbackStats {
    return { ...this.counts, pending: this.pending() }
  }

  resetStats() {
    this.counts = { queued: 0, delivered: 0, failed: 0, dropped: 0, attempts: 0 }
  }

  /** Resolves when nothing is waiting, scheduled or in flight. */
  settle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve()
    return new Promise((resolve) => this.settleWaiters.push(resolve))
  }

  /** Stops posting; pending jobs are abandoned. */
  close() {
    this.closed = true
    for (const timer of this.timers) clearTimeout(timer)
    this.timers.clear()
    this.waiting.length = 0
    this.scheduled = 0
    this.httpAgent.destroy()
    this.httpsAgent.destroy()
    this.notifySettled()
  }

  private pending() {
    return this.waiting.length + this.inFlight + this.scheduled
  }

  private later(delayMs: number, run: () => void) {
    if (this.closed) return
    if (delayMs <= 0) {
      run()
      return
    }
    this.scheduled++
    const timer = setTimeout(() => {
      this.timers.delete(timer)
      this.scheduled--
      run()
    }, delayMs)
    this.timers.add(timer)
  }

  private push(item: { job: CallbackJob; attempt: number; done?: (outcome: CallbackOutcome) => void }) {
    if (this.closed) {
      item.done?.({ ok: false, attempts: item.attempt - 1 })
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

  private async post(item: { job: CallbackJob; attempt: number; done?: (outcome: CallbackOutcome) => void }) {
    this.counts.attempts++
    const status = await this.postOnce(item.job)
    const ok = status !== undefined && status >= 200 && status < 300
    if (ok || item.attempt >= this.options.maxAttempts || this.closed) {
      if (ok) this.counts.delivered++
      else this.counts.failed++
      item.done?.({ ok, ...(status !== undefined ? { status } : {}), attempts: item.attempt })
      return
    }
    const backoff = (this.options.retryBaseMs ?? 100) * 2 ** (item.attempt - 1)
    this.later(backoff, () => this.push({ ...item, attempt: item.attempt + 1 }))
  }

  /** One POST; resolves with the HTTP status, or undefined on network error or timeout. */
  private postOnce(job: CallbackJob): Promise<number | undefined> {
    return new Promise((resolve) => {
      let url: URL
      try {
        url = new URL(job.url)
      } catch {
        resolve(undefined)
        return
      }
      const secure = url.protocol === 'https:'
      const body = Buffer.from(job.body)
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
          response.on('end', () => resolve(response.statusCode))
          response.on('error', () => resolve(undefined))
        },
      )
      request.on('timeout', () => request.destroy(new Error('webhook timeout')))
      request.on('error', () => resolve(undefined))
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
