import { problemMessage, type Problem } from './problem'

/** A refusal or failure of an API call, with its problem details and a readable message. */
export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problemMessage(problem))
    this.name = 'ApiError'
  }
  get status() {
    return this.problem.status
  }
}

interface ClientState {
  csrfToken: string | null
  tenant: string | null
  /** Called on a 401: the session expired. */
  onUnauthenticated: () => void
}

const state: ClientState = { csrfToken: null, tenant: null, onUnauthenticated: () => undefined }

export function configureApi(next: Partial<ClientState>) {
  Object.assign(state, next)
}

export function currentTenant() {
  return state.tenant
}

/** Headers every API call carries: the tenant, and the CSRF token on changes. */
export function apiHeaders(method: string): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' }
  if (state.tenant) headers['x-banditore-tenant'] = state.tenant
  if (method !== 'GET' && method !== 'HEAD' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken
  return headers
}

async function problemOf(response: Response): Promise<Problem> {
  const text = await response.text().catch(() => '')
  try {
    const body = JSON.parse(text) as Partial<Problem>
    return { ...body, status: typeof body.status === 'number' ? body.status : response.status }
  } catch {
    return { status: response.status }
  }
}

/**
 * Calls the console's API (`/api/...` or `/auth/...`); JSON in and out. Throws ApiError with the
 * problem details; a 401 also tells the session (which sends the person to sign in).
 */
export async function api<T>(method: string, path: string, body?: unknown, init?: { raw?: { body: BodyInit; contentType: string } }): Promise<T> {
  const headers = apiHeaders(method)
  let payload: BodyInit | undefined
  if (init?.raw) {
    headers['content-type'] = init.raw.contentType
    payload = init.raw.body
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(body)
  }
  let response: Response
  try {
    response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' })
  } catch {
    throw new ApiError({ status: 0, detail: 'Connessione assente: controlla la rete e riprova.' })
  }
  if (!response.ok) {
    const problem = await problemOf(response)
    if (response.status === 401) state.onUnauthenticated()
    if (problem.status === 0) problem.status = response.status
    throw new ApiError(problem.status === 0 ? { ...problem, detail: 'Connessione assente' } : problem)
  }
  if (response.status === 204) return undefined as T
  const type = response.headers.get('content-type') ?? ''
  return (type.includes('json') ? await response.json() : await response.text()) as T
}

/**
 * Downloads a file from the console's API (a CSV report) with the session's headers, and hands
 * it to the browser as a download named by the answer's Content-Disposition. Refusals throw
 * ApiError, as `api` does, so the page shows them in Italian.
 */
export async function downloadFile(path: string, fallbackName: string): Promise<string> {
  const headers = { ...apiHeaders('GET'), accept: 'text/csv, application/problem+json' }
  let response: Response
  try {
    response = await fetch(path, { headers, credentials: 'same-origin' })
  } catch {
    throw new ApiError({ status: 0, detail: 'Connessione assente: controlla la rete e riprova.' })
  }
  if (!response.ok) {
    const problem = await problemOf(response)
    if (response.status === 401) state.onUnauthenticated()
    throw new ApiError(problem)
  }
  const disposition = response.headers.get('content-disposition') ?? ''
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallbackName
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}

/** Path of the broadcast service's staff API through the console. */
export const broadcastApi = (path: string) => `/api/broadcast${path}`
export const subscriptionsApi = (path: string) => `/api/subscriptions${path}`
/** Path of the moderation service's staff API (the policy editors' bench) through the console. */
export const moderationApi = (path: string) => `/api/moderation${path}`
