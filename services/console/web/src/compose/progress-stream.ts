import { useEffect, useState } from 'react'
import { apiHeaders, broadcastApi } from '../api/api-client'
import type { BroadcastProgress } from '../api/types'

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended'

const FINAL = new Set(['completed', 'cancelled'])

/**
 * Live progress from the server-sent event stream, read with fetch (so the tenant header goes
 * along, which EventSource cannot send). A dropped connection shows itself and reconnects with
 * a growing pause; every event carries the whole progress, so nothing needs replaying.
 */
export function useProgressStream(id: string, enabled: boolean) {
  const [progress, setProgress] = useState<BroadcastProgress | null>(null)
  const [state, setState] = useState<StreamState>('connecting')

  useEffect(() => {
    if (!enabled) return
    let stopped = false
    let controller: AbortController | null = null
    let retry = 0
    let timer: number | undefined

    const connect = async () => {
      controller = new AbortController()
      let ended = false
      try {
        const response = await fetch(broadcastApi(`/v1/broadcasts/${id}/progress/stream`), {
          headers: { ...apiHeaders('GET'), accept: 'text/event-stream' },
          signal: controller.signal,
          credentials: 'same-origin',
        })
        if (response.status === 401) {
          window.location.assign(`/auth/login?returnTo=${encodeURIComponent(window.location.pathname)}`)
          return
        }
        if (!response.ok || !response.body) throw new Error(`stream ${response.status}`)
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          let cut: number
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, cut)
            buffer = buffer.slice(cut + 2)
            const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message'
            const data = block
              .split('\n')
              .filter((l) => l.startsWith('data: '))
              .map((l) => l.slice(6))
              .join('\n')
            if (event === 'progress') {
              const next = JSON.parse(data) as BroadcastProgress
              retry = 0
              setState('live')
              setProgress(next)
              if (FINAL.has(next.status)) ended = true
            } else if (event === 'end') ended = true
          }
        }
      } catch {
        // fall through to reconnect
      }
      if (stopped) return
      if (ended) {
        setState('ended')
        return
      }
      setState('reconnecting')
      retry++
      timer = window.setTimeout(() => void connect(), Math.min(10_000, 500 * 2 ** Math.min(retry, 5)))
    }
    void connect()
    return () => {
      stopped = true
      window.clearTimeout(timer)
      controller?.abort()
    }
  }, [id, enabled])

  return { progress, state }
}
