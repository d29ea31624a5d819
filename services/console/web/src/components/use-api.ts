import { useCallback, useEffect, useState } from 'react'
import { api } from '../api/api-client'

/** GETs `path` (again when it or `reloadKey` changes); `reload` asks once more. */
export function useApi<T>(path: string | null, reloadKey: unknown = null) {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    if (!path) return
    let live = true
    setError(null)
    api<T>('GET', path)
      .then((value) => live && setData(value))
      .catch((e: unknown) => live && setError(e))
    return () => {
      live = false
    }
  }, [path, reloadKey, tick])
  const reload = useCallback(() => setTick((n) => n + 1), [])
  return { data, error, reload, setData }
}
