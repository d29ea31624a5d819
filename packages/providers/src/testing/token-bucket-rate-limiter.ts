import type { SendPriority, SendRateLimiter } from '../send-rate-limiter.js'

/**
 * An in-process token bucket per sender: the stand-in rate limiter of tests and benchmarks that
 * run an adapter alone. The platform's limiter is the worker's leased one (shared through
 * PostgreSQL by every worker).
 */
export interface TokenBucketRate {
  /** Sustained messages per second. */
  readonly ratePerSecond: number
  /**
   * Bucket size: messages that may go at once after an idle spell. It also absorbs timer jitter,
   * so keep it above 1 at high rates. In any window of W seconds at most burst + rate·W are
   * granted.
   */
  readonly burst?: number
}

export interface TokenBucketRateLimiterOptions extends TokenBucketRate {
  /** Per-sender overrides, by sender key. */
  readonly perSender?: Readonly<Record<string, TokenBucketRate>>
  /** Clock in milliseconds (monotonic). Default performance.now. */
  readonly now?: () => number
}

class WaiterQueue {
  private items: Array<() => void> = []
  private head = 0
  get size() {
    return this.items.length - this.head
  }
  push(resolve: () => void) {
    this.items.push(resolve)
  }
  shift(): (() => void) | undefined {
    if (this.head >= this.items.length) return undefined
    const item = this.items[this.head++]
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
    return item
  }
}

interface Bucket {
  readonly rate: number
  readonly burst: number
  tokens: number
  refilledAt: number
  timer: ReturnType<typeof setTimeout> | undefined
  readonly emergency: WaiterQueue
  readonly routine: WaiterQueue
}

/**
 * A local (one-process) token bucket per sender key, FIFO within a priority, emergencies first.
 * One timer per sender, not per waiter, so thousands of waiting sends cost little. A
 * distributed limiter for several workers implements the same interface.
 */
export class TokenBucketRateLimiter implements SendRateLimiter {
  private readonly buckets = new Map<string, Bucket>()
  private readonly now: () => number

  constructor(private readonly options: TokenBucketRateLimiterOptions) {
    this.now = options.now ?? (() => performance.now())
    for (const rate of [options, ...Object.values(options.perSender ?? {})]) {
      if (!(rate.ratePerSecond > 0)) throw new RangeError('ratePerSecond must be positive')
      if (rate.burst !== undefined && !(rate.burst >= 1)) throw new RangeError('burst must be at least 1')
    }
  }

  /**
   * A limiter that keeps below a provider's cap of `capPerSecond`, measured over any sliding
   * second: it grants at most (1 - headroom) × cap per second (headroom default 5%). The
   * provider counts arrivals, not grants, so sends granted earlier but still in flight can land
   * in the same second: keep at most cap × headroom sends of one sender in flight at once and
   * the cap cannot be exceeded, whatever the latency jitter.
   */
  static forProviderCap(capPerSecond: number, options: { headroom?: number } = {}): TokenBucketRateLimiter {
    return new TokenBucketRateLimiter(TokenBucketRateLimiter.rateForCap(capPerSecond, options))
  }

  /** The bucket rate `forProviderCap` uses, for `perSender` overrides. */
  static rateForCap(capPerSecond: number, { headroom = 0.05 }: { headroom?: number } = {}): TokenBucketRate {
    const burst = Math.max(1, Math.floor((capPerSecond * headroom) / 2))
    return { ratePerSecond: Math.max(capPerSecond * (1 - headroom) - burst, capPerSecond / 2), burst }
  }

  acquire(senderKey: string, options?: { priority?: SendPriority }): Promise<void> {
    const bucket = this.bucketFor(senderKey)
    this.refill(bucket)
    if (bucket.tokens >= 1 && bucket.emergency.size === 0 && bucket.routine.size === 0) {
      bucket.tokens -= 1
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      ;(options?.priority === 'emergency' ? bucket.emergency : bucket.routine).push(resolve)
      this.schedule(bucket)
    })
  }

  /** Sends waiting for `senderKey` (for metrics). */
  waiting(senderKey: string): number {
    const bucket = this.buckets.get(senderKey)
    return bucket ? bucket.emergency.size + bucket.routine.size : 0
  }

  private bucketFor(senderKey: string): Bucket {
    let bucket = this.buckets.get(senderKey)
    if (!bucket) {
      const rate = this.options.perSender?.[senderKey] ?? this.options
      const burst = rate.burst ?? 1
      bucket = {
        rate: rate.ratePerSecond,
        burst,
        tokens: burst,
        refilledAt: this.now(),
        timer: undefined,
        emergency: new WaiterQueue(),
        routine: new WaiterQueue(),
      }
      this.buckets.set(senderKey, bucket)
    }
    return bucket
  }

  private refill(bucket: Bucket) {
    const now = this.now()
    bucket.tokens = Math.min(bucket.burst, bucket.tokens + ((now - bucket.refilledAt) * bucket.rate) / 1000)
    bucket.refilledAt = now
  }

  private schedule(bucket: Bucket) {
    if (bucket.timer) return
    const waitMs = Math.max(0, ((1 - bucket.tokens) * 1000) / bucket.rate)
    bucket.timer = setTimeout(() => this.drain(bucket), Math.ceil(waitMs))
  }

  private drain(bucket: Bucket) {
    bucket.timer = undefined
    this.refill(bucket)
    while (bucket.tokens >= 1) {
      const next = bucket.emergency.shift() ?? bucket.routine.shift()
      if (!next) break
      bucket.tokens -= 1
      next()
    }
    // Timers may fire a little early; refill measured real time, so just wait again.
    if (bucket.emergency.size + bucket.routine.size > 0) this.schedule(bucket)
  }
}
