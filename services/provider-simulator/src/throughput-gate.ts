interface Window {
  readonly cap: number
  /** Accept times (ms) of the last `cap` accepted messages, a ring. */
  readonly times: Float64Array
  next: number
  filled: number
}

/**
 * The provider's throughput cap per sender: at most `cap` accepted messages in any sliding
 * window of `windowMs`. A ring of the last `cap` accept times per sender: O(1) per message.
 */
export class SlidingWindowGate {
  private readonly windows = new Map<string, Window>()

  constructor(private readonly windowMs = 1000) {}

  /** Accepts (and counts) one message, or refuses it when the window is full. */
  tryAcquire(key: string, capPerWindow: number, now: number): boolean {
    const cap = Math.max(1, Math.floor(capPerWindow))
    let window = this.windows.get(key)
    if (!window || window.cap !== cap) {
      window = { cap, times: new Float64Array(cap), next: 0, filled: 0 }
      this.windows.set(key, window)
    }
    // The slot to overwrite holds the oldest of the last `cap` accepts.
    if (window.filled === cap && now - (window.times[window.next] ?? 0) < this.windowMs) return false
    window.times[window.next] = now
    window.next = (window.next + 1) % cap
    if (window.filled < cap) window.filled++
    return true
  }

  clear() {
    this.windows.clear()
  }
}

interface PairBucket {
  tokens: number
  at: number
}

/**
 * WhatsApp's pair rate limit: one (sender, recipient) pair may burst `burst` messages, then
 * `ratePerSecond`. Refuses without waiting, as the provider does.
 */
export class PairRateGate {
  private readonly buckets = new Map<string, PairBucket>()

  tryAcquire(key: string, ratePerSecond: number, burst: number, now: number): boolean {
    let bucket = this.buckets.get(key)
    if (!bucket) {
      if (this.buckets.size >= 200_000) this.prune(ratePerSecond, burst, now)
      bucket = { tokens: burst, at: now }
      this.buckets.set(key, bucket)
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000)
    bucket.at = now
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Forgets pairs whose bucket has refilled: they behave like new ones. */
  private prune(ratePerSecond: number, burst: number, now: number) {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) * ratePerSecond) / 1000 >= burst) this.buckets.delete(key)
    }
  }

  clear() {
    this.buckets.clear()
  }
}
