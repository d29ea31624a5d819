export interface StatementBatcherOptions {
  /** Statements running at once (each takes a pool connection). */
  readonly maxConcurrent: number
  /** Most keys in one statement; a caller's keys are never split across statements. */
  readonly maxKeys: number
}

interface Waiter<K, R> {
  readonly keys: readonly K[]
  readonly resolve: (result: R) => void
  readonly reject: (error: unknown) => void
}

/**
 * Coalesces concurrent calls into one statement over all their keys: while `maxConcurrent`
 * statements run, new callers wait and then share the next one. A lone caller runs at once (no
 * timer, so no added latency at low load); under load one round trip serves hundreds of
 * webhooks instead of one each.
 */
export class StatementBatcher<K, R> {
  private readonly waiting: Waiter<K, R>[] = []
  private running = 0

  constructor(
    private readonly execute: (keys: K[]) => Promise<R>,
    private readonly options: StatementBatcherOptions,
  ) {}

  /** Runs `execute` over these keys and whatever other callers' keys join them. */
  run(keys: readonly K[]): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ keys, resolve, reject })
      this.drain()
    })
  }

  private drain(): void {
    while (this.running < this.options.maxConcurrent && this.waiting.length > 0) {
      const batch: Waiter<K, R>[] = []
      let size = 0
      while (this.waiting.length > 0) {
        const next = this.waiting[0] as Waiter<K, R>
        if (batch.length > 0 && size + next.keys.length > this.options.maxKeys) break
        batch.push(next)
        size += next.keys.length
        this.waiting.shift()
      }
      this.running++
      const keys = batch.flatMap((w) => w.keys)
      // execute() may throw synchronously; the promise chain turns that into a rejection.
      void Promise.resolve()
        .then(() => this.execute(keys))
        .then(
          (result) => batch.forEach((w) => w.resolve(result)),
          (error: unknown) => batch.forEach((w) => w.reject(error)),
        )
        .finally(() => {
          this.running--
          this.drain()
        })
    }
  }
}
