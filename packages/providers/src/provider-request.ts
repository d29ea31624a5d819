import { ProviderError, type OutboundProvider } from './provider-error.js'
import type { DispatchSlot, SendPriority, SendRateLimiter } from './send-rate-limiter.js'

/** A request's options; `dispatch` only for a transport that dispatches at slots (below). */
export interface ProviderRequestInit extends RequestInit {
  /** Write the request at `dispatch.at`, or not at all (DispatchSlotMissedError). */
  readonly dispatch?: DispatchSlot
}

/** The fetch the adapters use; injectable for tests and custom agents. */
export type FetchFunction = (input: string, init: ProviderRequestInit) => Promise<Response>

/**
 * A transport that writes each request at its rate-limit slot's time itself (from an event loop
 * of its own, unaffected by the caller's pauses) instead of as soon as it is called.
 */
export interface SlotDispatchingFetch extends FetchFunction {
  readonly dispatchesAtSlots: true
}

function dispatchesAtSlots(fetchFn: FetchFunction): fetchFn is SlotDispatchingFetch {
  return (fetchFn as Partial<SlotDispatchingFetch>).dispatchesAtSlots === true
}

/** The transport could not write the request within its slot's tolerance: nothing was sent. */
export class DispatchSlotMissedError extends Error {
  readonly code = 'DISPATCH_SLOT_MISSED'
  constructor(readonly lateByMs: number) {
    super(`the request would have left ${Math.round(lateByMs)} ms after its slot and was not sent`)
    this.name = 'DispatchSlotMissedError'
  }
}

/** Slots missed in a row before a send gives up (as not sent, retryable). */
const MAX_MISSED_SLOTS = 8

export interface ProviderResponse {
  readonly status: number
  readonly headers: Headers
  /** The parsed JSON body, or undefined when the body is not JSON. */
  readonly json: unknown
}

/** Error codes of failures that happen before a request can reach the provider. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET_BEFORE_WRITE', 'UND_ERR_CONNECT_TIMEOUT'])

function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string') return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}

/**
 * One HTTP request to a provider with a deadline. Network failures and timeouts become
 * retryable ProviderErrors; a failure after the request may have left is marked ambiguous.
 */
export async function requestProvider(
  provider: OutboundProvider,
  fetchFn: FetchFunction,
  url: string,
  init: ProviderRequestInit,
  timeoutMs: number,
): Promise<ProviderResponse> {
  // A deadline cleared with the answer: AbortSignal.timeout's timer would stay armed for the
  // whole timeout, keeping every request's signal alive (at thousands of sends a second, tens of
  // thousands of them, promoted to the old heap) and raising a TimeoutError for each at its end.
  const controller = new AbortController()
  const deadline = setTimeout(() => controller.abort(new DOMException(`no answer within ${timeoutMs} ms`, 'TimeoutError')), timeoutMs)
  try {
    return await exchange(provider, fetchFn, url, { ...init, signal: controller.signal }, timeoutMs)
  } finally {
    clearTimeout(deadline)
  }
}

async function exchange(provider: OutboundProvider, fetchFn: FetchFunction, url: string, init: ProviderRequestInit, timeoutMs: number): Promise<ProviderResponse> {
  let response: Response
  try {
    response = await fetchFn(url, init)
  } catch (cause) {
    if (cause instanceof DispatchSlotMissedError) throw cause
    const timedOut = cause instanceof DOMException && cause.name === 'TimeoutError'
    const code = networkErrorCode(cause)
    throw new ProviderError(timedOut ? `${provider}: no answer within ${timeoutMs} ms` : `${provider}: request failed (${code ?? 'network error'})`, {
      provider,
      kind: 'retryable',
      ambiguous: timedOut || code === undefined || !NOT_SENT_CODES.has(code),
      cause,
    })
  }
  let text: string
  try {
    text = await response.text()
  } catch (cause) {
    throw new ProviderError(`${provider}: response cut off (HTTP ${response.status})`, {
      provider,
      kind: 'retryable',
      httpStatus: response.status,
      ambiguous: true,
      cause,
    })
  }
  let json: unknown
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: response.status, headers: response.headers, json }
}

/** Where a paced request goes: the sender's limit and the send's priority. */
export interface Pacing {
  readonly limiter: SendRateLimiter | undefined
  readonly senderKey: string
  readonly priority: SendPriority
}

/**
 * One provider request under the sender's rate limit. With a limiter that reserves slots and a
 * transport that dispatches at them, the request is handed over shortly before its slot and
 * written at the slot's time by the transport; a slot the transport missed is reported and the
 * send takes the next one, first in line. Otherwise the request is made once `acquire` allows.
 */
export async function requestProviderPaced(
  provider: OutboundProvider,
  fetchFn: FetchFunction,
  pacing: Pacing,
  url: string,
  build: () => ProviderRequestInit,
  timeoutMs: number,
): Promise<ProviderResponse> {
  const { limiter, senderKey, priority } = pacing
  if (!limiter?.reserve || !dispatchesAtSlots(fetchFn)) {
    await limiter?.acquire(senderKey, { priority })
    return await requestProvider(provider, fetchFn, url, build(), timeoutMs)
  }
  const init = build()
  for (let missed = 0; ; missed++) {
    const dispatch = await limiter.reserve(senderKey, { priority, retry: missed > 0 })
    try {
      return await requestProvider(provider, fetchFn, url, { ...init, dispatch }, timeoutMs)
    } catch (error) {
      if (!(error instanceof DispatchSlotMissedError)) throw error
      if (missed + 1 >= MAX_MISSED_SLOTS) {
        throw new ProviderError(`${provider}: ${MAX_MISSED_SLOTS} rate-limit slots missed in a row; not sent`, {
          provider,
          kind: 'retryable',
          ambiguous: false,
          cause: error,
        })
      }
    }
  }
}
