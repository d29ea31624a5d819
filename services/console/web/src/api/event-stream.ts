import { useEffect, useState } from 'react'
import { apiHeaders } from './api-client'

export type StreamState = 'connecting' | 'live' | 'reconnecting' | 'ended'

/** One server-sent event: its name (`message` when it has none) and its data lines joined. */
export interface StreamEvent {
  readonly event: string
  readonly data: string
}

/**
 * Follows a server-sent event stream of the staff APIs, read with fetch so the console's headers
 * (tenant, session) go along, which EventSource cannot send. `onEvent` answers whether the stream
 * has said all it will (`true`: it ended). A dropped connection shows itself as `reconnecting` and
 * reconnects with a growing pause; an expired session goes to sign-in. The streams here send whole
 * states, never deltas, so nothing needs replaying after a reconnection.
 */
export function useEventStream(url: string | null, onEvent: (event: StreamEvent) => boolean): StreamState {
  const [state, setState] = useState<StreamState>('connecting')

  useEffect(() => {
    if (!url) return
    let stopped = false
    let controller: AbortController | null = null
    let retry = 0
    let timer: number | undefined

    const connect = async () => {
      controller = new AbortController()
      let ended = false
      try {
        const response = await fetch(url, {
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
            if (!data && event !== 'end') continue
            retry = 0
            setState('live')
            if (onEvent({ event, data })) ended = true
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
    // Only a new URL reconnects; onEvent (a new function each render) is read at each event.
  }, [url])

  return state
}
