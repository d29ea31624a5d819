import { ProviderError, type OutboundProvider } from './provider-error.js'

/** The fetch the adapters use; injectable for tests and custom agents. */
export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>

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
  init: RequestInit,
  timeoutMs: number,
): Promise<ProviderResponse> {
  let response: Response
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) })
  } catch (cause) {
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
