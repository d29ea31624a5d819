import { useEffect, useState } from 'react'
import { apiHeaders } from '../api/api-client'
import { deskApi } from '../api/desk-types'

export type DeskStreamState = 'connecting' | 'live' | 'reconnecting'

/**
 * The desk's revision from the server-sent event stream (read with fetch so the console's
 * headers go along): it changes whenever anything on the desk changed, and pages reload on it.
 * A dropped stream reconnects with a growing pause.
 */
export function useDeskRevision(tenant: string | null) {
  const [revision, setRevision] = useState<number | null>(null)
  const [state, setState] = useState<DeskStreamState>('connecting')

  useEffect(() => {
    if (!tenant) return
    let stopped = false
    let controller: AbortController | null = null
    let retry = 0
    let timer: number | undefined
    const connect = async () => {
      controller = new AbortController()
      try {
        const response = await fetch(deskApi(tenant, '/stream'), {
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
            if (/^event: desk$/m.test(block)) {
              const data = /^data: (.*)$/m.exec(block)?.[1]
              if (data) {
                retry = 0
                setState('live')
                setRevision((JSON.parse(data) as { revision: number }).revision)
              }
            }
          }
        }
      } catch {
        // reconnect below
      }
      if (stopped) return
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
  }, [tenant])

  return { revision, state }
}
