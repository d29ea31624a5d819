import { useState } from 'react'
import { useEventStream, type StreamState } from '../api/event-stream'
import { deskApi } from '../api/desk-types'

export type DeskStreamState = Exclude<StreamState, 'ended'>

/**
 * The desk's revision: it changes whenever anything on the desk changed, and pages reload on it.
 * The desk's stream never ends on its own.
 */
export function useDeskRevision(tenant: string | null) {
  const [revision, setRevision] = useState<number | null>(null)
  const state = useEventStream(tenant ? deskApi(tenant, '/stream') : null, ({ event, data }) => {
    if (event === 'desk') setRevision((JSON.parse(data) as { revision: number }).revision)
    return false
  })
  return { revision, state: state === 'ended' ? 'reconnecting' : state }
}
