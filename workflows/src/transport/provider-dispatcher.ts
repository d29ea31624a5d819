import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { DispatchSlotMissedError, type ProviderRequestInit, type SlotDispatchingFetch } from '@banditore/providers'
import { ProviderHttpResponse } from './broadcast-http-transport.js'
import type { DispatchReply, DispatchRequest, ToDispatchThread } from './provider-dispatch.protocol.js'

/** The provider transport of a worker process: a SlotDispatchingFetch with a thread to stop. */
export interface ProviderDispatcher extends SlotDispatchingFetch {
  /** Resolves once the thread is loaded (it starts with the dispatcher): slots are met from then on. */
  ready(): Promise<void>
  /** Rejects what is pending and stops the thread. */
  close(): Promise<void>
  /** Requests handed over, and slots the thread missed (reached later than their tolerance). */
  stats(): { requests: number; missed: number }
  /** Per sender number, the most requests the thread wrote in any sliding second. */
  writtenPerSecond(): Promise<Record<string, number>>
}

interface Pending {
  resolve: (response: Response) => void
  reject: (error: unknown) => void
  signal: AbortSignal | undefined
  onAbort: (() => void) | undefined
}

/** The thread's entry: compiled JavaScript next to this file, or its TypeScript source (dev, tests). */
function startThread(entry: URL): Worker {
  const fromSource = entry.pathname.endsWith('.ts')
  if (!fromSource) return new Worker(entry)
  // Running from TypeScript sources (tsx, vitest): the thread registers tsx's loader itself.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs'))
  return new Worker(`import(${JSON.stringify(tsx.href)}).then((api) => { api.register(); return import(${JSON.stringify(entry.href)}) })`, { eval: true })
}

/**
 * The provider transport for the worker's sends: requests go to a dispatch thread, which writes
 * each at its rate-limit slot's time (`init.dispatch`, from the limiter's `reserve`) over
 * keep-alive connections, or at once without one. The worker's event loop pauses (garbage
 * collection, workflow activations, ledger writes) then cost no slots, as long as they are
 * shorter than the limiter's dispatch lead; a slot the thread itself reached late is reported
 * (DispatchSlotMissedError: nothing was written) and the send takes another.
 *
 * Errors keep Node's codes (ECONNREFUSED... tell the adapter a request never left); an aborted
 * request rejects with the signal's reason at once and is dropped or torn down in the thread.
 * The thread is restarted when it dies; what it had in hand then fails as possibly sent.
 */
export function createProviderDispatcher(
  /** `threadEntry`: the thread's module, by default provider-dispatch.thread next to this file. */
  options: { threadEntry?: URL } = {},
): ProviderDispatcher {
  const threadEntry = options.threadEntry ?? new URL(`./provider-dispatch.thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url)
  const pending = new Map<number, Pending>()
  const counters = { requests: 0, missed: 0 }
  let nextId = 0
  let thread: Worker | undefined
  let closed = false

  const settle = (id: number): Pending | undefined => {
    const entry = pending.get(id)
    if (!entry) return undefined
    pending.delete(id)
    if (entry.onAbort) entry.signal?.removeEventListener('abort', entry.onAbort)
    if (pending.size === 0) thread?.unref()
    return entry
  }

  const statsWaiters = new Map<number, (max: Record<string, number>) => void>()
  // Set by threadOf for each thread it starts.
  let markReady: () => void
  let readiness: Promise<void>
  const onReply = (reply: DispatchReply) => {
    if (reply.kind === 'ready') {
      markReady()
      return
    }
    if (reply.kind === 'stats') {
      statsWaiters.get(reply.id)?.(reply.maxInAnySecond)
      statsWaiters.delete(reply.id)
      return
    }
    const entry = settle(reply.id)
    if (!entry) return
    switch (reply.kind) {
      case 'response':
        entry.resolve(
          new ProviderHttpResponse(reply.status, { 'retry-after': reply.retryAfter, 'content-type': reply.contentType }, reply.body) as unknown as Response,
        )
        break
      case 'missed':
        counters.missed++
        entry.reject(new DispatchSlotMissedError(reply.lateByMs))
        break
      case 'error':
        entry.reject(Object.assign(new Error(reply.message), { name: reply.name, ...(reply.code ? { code: reply.code } : {}) }))
        break
    }
  }

  const threadOf = (): Worker => {
    if (thread) return thread
    const started = startThread(threadEntry)
    started.on('message', onReply)
    const lost = (reason: string) => {
      if (thread !== started) return
      thread = undefined
      // No code: the adapter counts these as possibly sent (ambiguous), never as safely unsent.
      for (const id of [...pending.keys()]) settle(id)?.reject(new Error(`provider dispatch thread ${reason}`))
      // Its counts died with it.
      for (const answer of statsWaiters.values()) answer({})
      statsWaiters.clear()
    }
    started.on('error', (error) => lost(`failed: ${error.message}`))
    started.on('exit', (code) => lost(`exited with code ${code}`))
    readiness = new Promise<void>((resolve) => (markReady = resolve))
    started.unref()
    thread = started
    return started
  }

  const post = (message: ToDispatchThread) => threadOf().postMessage(message)

  const dispatcher = (input: string, init: ProviderRequestInit): Promise<Response> =>
    new Promise<Response>((resolve, reject) => {
      if (closed) {
        reject(new Error('the provider dispatcher is closed'))
        return
      }
      const signal = init.signal ?? undefined
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const id = nextId++
      const entry: Pending = { resolve, reject, signal, onAbort: undefined }
      if (signal) {
        entry.onAbort = () => {
          if (!settle(id)) return
          post({ type: 'cancel', id })
          reject(signal.reason)
        }
        signal.addEventListener('abort', entry.onAbort, { once: true })
      }
      const request: DispatchRequest = {
        id,
        url: input,
        method: init.method ?? 'GET',
        headers: (init.headers ?? {}) as Record<string, string>,
        ...(typeof init.body === 'string' ? { body: init.body } : {}),
        ...(init.dispatch ? { at: init.dispatch.at, lateMs: init.dispatch.lateMs, senderKey: init.dispatch.senderKey } : {}),
      }
      const worker = threadOf()
      if (pending.size === 0) worker.ref()
      pending.set(id, entry)
      counters.requests++
      worker.postMessage({ type: 'request', request } satisfies ToDispatchThread)
    })

  threadOf()
  return Object.assign(dispatcher, {
    dispatchesAtSlots: true as const,
    ready: () => readiness,
    stats: () => ({ ...counters }),
    writtenPerSecond: () =>
      new Promise<Record<string, number>>((resolve) => {
        const id = nextId++
        statsWaiters.set(id, resolve)
        post({ type: 'stats', id })
      }),
    async close() {
      closed = true
      for (const id of [...pending.keys()]) settle(id)?.reject(new Error('the provider dispatcher closed'))
      const running = thread
      thread = undefined
      if (!running) return
      running.postMessage({ type: 'close' } satisfies ToDispatchThread)
      await running.terminate()
    },
  })
}
