/**
 * Waiting for conditions, not for time: tests run on machines that other work keeps busy, where
 * a fixed sleep is sometimes too short and a wall-clock threshold sometimes too tight. A test
 * waits until what it needs has happened, with a deadline long enough that only a real failure
 * reaches it, and asserts what must always hold. Timing guarantees (pace, latency) are measured
 * by the benchmarks (README, Benchmarks).
 */

export interface WaitOptions {
  /** Give up after this long, ms (default 30 s: generous, a failure, not a slow machine). */
  timeoutMs?: number
  /** Between two checks, ms (default 25). */
  intervalMs?: number
  /** What is awaited, for the error message ("every send in the ledger"). */
  what?: string
}

export class WaitTimeoutError extends Error {
  constructor(
    what: string,
    timeoutMs: number,
    readonly last: unknown,
  ) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last: ${describe(last)})`}`)
    this.name = 'WaitTimeoutError'
  }
}

function describe(value: unknown): string {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  try {
    const text = JSON.stringify(value)
    return text.length > 500 ? `${text.slice(0, 500)}…` : text
  } catch {
    return String(value)
  }
}

/**
 * Checks `condition` until it returns a truthy value (which is returned) or the deadline passes.
 * A condition that throws counts as not yet met (the last error is reported on timeout), so
 * `() => expect(x).toBe(y)`-style checks that return `true` work too.
 */
export async function waitUntil<T>(condition: () => T | Promise<T>, options: WaitOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const intervalMs = options.intervalMs ?? 25
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await condition()
      if (value) return value as NonNullable<T>
      last = value
    } catch (error) {
      last = error
    }
    if (Date.now() >= deadline) throw new WaitTimeoutError(options.what ?? 'a condition', timeoutMs, last)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}
