import type { BroadcastProgress } from '@banditore/contracts'
import type { FastifyReply, FastifyRequest } from 'fastify'

const FINAL = new Set(['completed', 'cancelled', 'draft', 'approved'])

/**
 * Writes `progress` server-sent events every `intervalMs` until the broadcast has ended (or is
 * not running at all) or the client goes away. Each event is the whole progress: a client that
 * reconnects needs no replay.
 */
export function streamProgress(
  request: FastifyRequest,
  reply: FastifyReply,
  read: () => Promise<BroadcastProgress>,
  intervalMs: number,
  /** Open streams, closed by the app's onClose so shutdown is not held by a client. */
  open: Set<() => void>,
): void {
  reply.hijack()
  const out = reply.raw
  out.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' })
  let timer: NodeJS.Timeout | undefined
  let closed = false
  const close = () => {
    if (closed) return
    closed = true
    open.delete(close)
    clearTimeout(timer)
    out.end()
  }
  open.add(close)
  request.raw.on('close', close)
  const tick = async () => {
    if (closed) return
    try {
      const progress = await read()
      if (closed) return
      out.write(`event: progress\ndata: ${JSON.stringify(progress)}\n\n`)
      if (FINAL.has(progress.status)) {
        out.write('event: end\ndata: {}\n\n')
        close()
        return
      }
    } catch (error) {
      request.log.warn({ err: error }, 'progress stream read failed')
      out.write(`event: error\ndata: ${JSON.stringify({ detail: 'avanzamento non disponibile; nuovo tentativo in corso' })}\n\n`)
    }
    timer = setTimeout(() => void tick(), intervalMs)
  }
  void tick()
}
