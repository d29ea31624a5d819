// The provider dispatch thread: writes provider requests at their rate-limit slots' times from an
// event loop that does nothing else, so the worker's own pauses (garbage collection, workflow
// activations, ledger writes) do not make slots late. It runs in a worker thread of its own and
// imports only node built-ins and the keep-alive transport. The protocol is in
// provider-dispatch.protocol.ts.
import { parentPort } from 'node:worker_threads'
import { createKeepAliveFetch } from './broadcast-http-transport.js'
import type { DispatchReply, DispatchRequest, ToDispatchThread } from './provider-dispatch.protocol.js'

const port = parentPort
if (!port) throw new Error('provider-dispatch.thread runs as a worker thread')

const transport = createKeepAliveFetch()
const now = () => performance.timeOrigin + performance.now()

/** Requests waiting for their time, in slot order. */
const scheduled: DispatchRequest[] = []
/** Requests written, by id, until answered (to abort them). */
const inFlight = new Map<number, AbortController>()
let timer: NodeJS.Timeout | undefined
let timerAt = Infinity

const reply = (message: DispatchReply) => port.postMessage(message)

/** Per sender: write times of the last second, and the most written in any sliding second. */
const written = new Map<string, { times: number[]; head: number; max: number }>()
function countWrite(senderKey: string, t: number): void {
  let window = written.get(senderKey)
  if (!window) written.set(senderKey, (window = { times: [], head: 0, max: 0 }))
  window.times.push(t)
  while (t - (window.times[window.head] as number) >= 1000) window.head++
  if (window.head > 4096) {
    window.times = window.times.slice(window.head)
    window.head = 0
  }
  window.max = Math.max(window.max, window.times.length - window.head)
}

/** Writes the request now (the transport writes it before returning) and replies with the answer. */
function send(request: DispatchRequest): void {
  const controller = new AbortController()
  inFlight.set(request.id, controller)
  const answer = transport(request.url, { method: request.method, headers: request.headers, body: request.body ?? null, signal: controller.signal })
  if (request.senderKey) countWrite(request.senderKey, now())
  answer
    .then(async (response) => {
      const body = await response.text()
      // Cancelled meanwhile: the caller already has its answer.
      if (!inFlight.delete(request.id)) return
      const retryAfter = response.headers.get('retry-after')
      const contentType = response.headers.get('content-type')
      reply({
        id: request.id,
        kind: 'response',
        status: response.status,
        body,
        ...(retryAfter !== null ? { retryAfter } : {}),
        ...(contentType !== null ? { contentType } : {}),
      })
    })
    .catch((error: NodeJS.ErrnoException) => {
      if (!inFlight.delete(request.id)) return
      reply({ id: request.id, kind: 'error', name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) })
    })
}

/** Writes what is due (within a millisecond: timers fire up to one late) and re-arms the timer. */
function dispatchDue(): void {
  timer = undefined
  timerAt = Infinity
  const t = now()
  let due = 0
  while (due < scheduled.length && (scheduled[due]?.at ?? Infinity) <= t + 1) due++
  for (const request of scheduled.splice(0, due)) {
    const lateBy = t - (request.at ?? t)
    if (lateBy > (request.lateMs ?? Infinity)) reply({ id: request.id, kind: 'missed', lateByMs: lateBy })
    else send(request)
  }
  arm()
}

function arm(): void {
  const next = scheduled[0]?.at
  if (next === undefined || next >= timerAt) return
  if (timer) clearTimeout(timer)
  timerAt = next
  timer = setTimeout(dispatchDue, Math.max(0, next - now() - 1))
}

function schedule(request: DispatchRequest): void {
  // Almost always appended: slots are handed over in order.
  let i = scheduled.length
  while (i > 0 && (scheduled[i - 1]?.at ?? 0) > (request.at ?? 0)) i--
  scheduled.splice(i, 0, request)
  arm()
}

port.on('message', (message: ToDispatchThread) => {
  switch (message.type) {
    case 'request':
      if (message.request.at === undefined) send(message.request)
      else schedule(message.request)
      break
    case 'cancel': {
      const waiting = scheduled.findIndex((r) => r.id === message.id)
      if (waiting >= 0) scheduled.splice(waiting, 1)
      const controller = inFlight.get(message.id)
      inFlight.delete(message.id)
      controller?.abort()
      break
    }
    case 'stats':
      reply({ id: message.id, kind: 'stats', maxInAnySecond: Object.fromEntries([...written].map(([key, w]) => [key, w.max])) })
      break
    case 'close':
      if (timer) clearTimeout(timer)
      for (const controller of inFlight.values()) controller.abort()
      inFlight.clear()
      port.close()
      break
  }
})

reply({ id: -1, kind: 'ready' })
