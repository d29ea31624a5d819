import { useState } from 'react'
import { broadcastApi } from '../api/api-client'
import { useEventStream, type StreamState } from '../api/event-stream'
import type { BroadcastProgress } from '../api/types'

export type { StreamState }

const FINAL = new Set(['completed', 'cancelled'])

/** Live progress of a broadcast: every `progress` event carries the whole progress. */
export function useProgressStream(id: string, enabled: boolean) {
  const [progress, setProgress] = useState<BroadcastProgress | null>(null)
  const state = useEventStream(enabled ? broadcastApi(`/v1/broadcasts/${id}/progress/stream`) : null, ({ event, data }) => {
    if (event === 'end') return true
    if (event !== 'progress') return false
    const next = JSON.parse(data) as BroadcastProgress
    setProgress(next)
    return FINAL.has(next.status)
  })
  return { progress, state }
}
