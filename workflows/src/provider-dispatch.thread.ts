// The provider dispatch thread: writes provider requests at their rate-limit slots' times from an
// event loop that does nothing else, so the worker's own pauses (garbage collection, workflow
// activations, ledger writes) do not make slots late. Only node built-ins: it runs in a worker
// thread of its own. The protocol is in provider-dispatch.protocol.ts.
import http from 'node:http'
import https from 'node:https'
import { parentPort } from 'node:worker_threads'
import type { DispatchReply, DispatchRequest, ToDispatchThread } from './provider-dispatch.protocol.js'

const port = parentPort
if (!port) throw new Error('provider-dispatch.thread runs as a worker thread')

const agentOptions = { keepAlive: true, maxSockets: 512, scheduling: 'lifo' as const }
const agents = { 'http:': new http.Agent(agentOptions), 'https:': new https.Agent(agentOptions) }
const now = () => performance.timeOrigin + performance.now()

/** Requests waiting for their time, in slot order. */
const scheduled: DispatchRequest[] = []
/** Requests written, by id, until answered (to abort them). */
const inFlight = new Map<number, http.ClientRequest>()
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

function send(request: DispatchRequest): void {
  let url: URL
  try {
    url = new URL(request.url)
  } catch (error) {
    reply({ id: request.id, kind: 'error', name: 'TypeError', message: (error as Error).message })
    return
  }
  const transport = url.protocol === 'https:' ? https : http
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:']
  const outgoing = transport.request(url, { method: request.method, headers: request.headers, agent }, (response) => {
    const chunks: Buffer[] = []
    response.on('data', (chunk: Buffer) => chunks.push(chunk))
    response.on('error', (error: NodeJS.ErrnoException) => {
      inFlight.delete(request.id)
      reply({ id: request.id, kind: 'error', name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) })
    })
    response.on('end', () => {
      inFlight.delete(request.id)
      const retryAfter = response.headers['retry-after']
      const contentType = response.headers['content-type']
      reply({
        id: request.id,
        kind: 'response',
        status: response.statusCode ?? 0,
        body: Buffer.concat(chunks).toString('utf8'),
        ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
        ...(typeof contentType === 'string' ? { contentType } : {}),
      })
    })
  })
  outgoing.on('error', (error: NodeJS.ErrnoException) => {
    if (!inFlight.delete(request.id)) return // Aborted: the caller already has its answer.
    reply({ id: request.id, kind: 'error', name: error.name, message: error.message, ...(error.code ? { code: error.code } : {}) })
  })
  inFlight.set(request.id, outgoing)
  outgoing.end(request.body)
  if (request.senderKey) countWrite(request.senderKey, now())
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
      const outgoing = inFlight.get(message.id)
      inFlight.delete(message.id)
      outgoing?.destroy()
      break
    }
    case 'stats':
      reply({ id: message.id, kind: 'stats', maxInAnySecond: Object.fromEntries([...written].map(([key, w]) => [key, w.max])) })
      break
    case 'close':
      if (timer) clearTimeout(timer)
      for (const outgoing of inFlight.values()) outgoing.destroy()
      agents['http:'].destroy()
      agents['https:'].destroy()
      port.close()
      break
  }
})

reply({ id: -1, kind: 'ready' })
