/** Messages between the worker and its provider dispatch thread. */

export interface DispatchRequest {
  readonly id: number
  readonly url: string
  readonly method: string
  readonly headers: Record<string, string>
  readonly body?: string
  /** Write at this time (epoch ms, `performance.timeOrigin + performance.now()`); absent: at once. */
  readonly at?: number
  /** Not written at all if this much later than `at`. */
  readonly lateMs?: number
  /** The rate limit it was paced by (the sender number), for the thread's own counts. */
  readonly senderKey?: string
}

export type ToDispatchThread =
  | { readonly type: 'request'; readonly request: DispatchRequest }
  | { readonly type: 'cancel'; readonly id: number }
  | { readonly type: 'close' }
  /** Asks for the most requests written per sender in any sliding second so far. */
  | { readonly type: 'stats'; readonly id: number }

export type DispatchReply =
  /** The thread is loaded and listening (sent once, first). */
  | { readonly id: -1; readonly kind: 'ready' }
  | {
      readonly id: number
      readonly kind: 'response'
      readonly status: number
      readonly body: string
      readonly retryAfter?: string
      readonly contentType?: string
    }
  | { readonly id: number; readonly kind: 'stats'; readonly maxInAnySecond: Record<string, number> }
  /** The thread reached the request too late for its slot: it was not written. */
  | { readonly id: number; readonly kind: 'missed'; readonly lateByMs: number }
  /** Node's error: `code` tells a connection refused (not sent) from a reset (maybe sent). */
  | { readonly id: number; readonly kind: 'error'; readonly name: string; readonly message: string; readonly code?: string }
