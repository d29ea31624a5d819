import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react'
import { api, ApiError, configureApi } from '../api/api-client'
import type { ConsoleSession } from '../api/types'

const TENANT_KEY = 'banditore.console.tenant'

export interface SessionValue {
  session: ConsoleSession
  tenant: { id: string; name: string } | null
  /** Roles the person holds in the selected tenant (a platform admin: admin everywhere). */
  roles: ReadonlySet<string>
  isPlatformAdmin: boolean
  can: (...roles: string[]) => boolean
  selectTenant: (id: string) => void
  signOut: () => Promise<void>
}

const SessionContext = createContext<SessionValue | null>(null)

export function useSession(): SessionValue {
  const value = useContext(SessionContext)
  if (!value) throw new Error('useSession outside SessionProvider')
  return value
}

/** Full-page navigation to the sign-in, back to where the person was. */
export function goToSignIn() {
  const returnTo = `${window.location.pathname}${window.location.search}`
  window.location.assign(`/auth/login?returnTo=${encodeURIComponent(returnTo)}`)
}

export function rolesIn(session: ConsoleSession, tenant: string | null): Set<string> {
  const roles = new Set<string>()
  for (const grant of session.user.grants) {
    if (grant.tenant === '*' || grant.tenant === tenant) roles.add(grant.role)
  }
  return roles
}

/** Loads the session once; without one, the person goes to sign in. */
export function SessionProvider({ children, fallback }: { children: ReactNode; fallback: (state: 'loading' | ApiError) => ReactNode }) {
  const [session, setSession] = useState<ConsoleSession | null>(null)
  const [failure, setFailure] = useState<ApiError | null>(null)
  const [tenantId, setTenantId] = useState<string | null>(null)

  useEffect(() => {
    configureApi({ onUnauthenticated: goToSignIn })
    api<ConsoleSession>('GET', '/auth/session')
      .then((loaded) => {
        const saved = window.localStorage.getItem(TENANT_KEY)
        const chosen = loaded.tenants.find((t) => t.id === saved)?.id ?? loaded.tenants[0]?.id ?? null
        configureApi({ csrfToken: loaded.csrfToken, tenant: chosen })
        setTenantId(chosen)
        setSession(loaded)
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) return // goToSignIn already navigates
        setFailure(error instanceof ApiError ? error : new ApiError({ status: 500 }))
      })
  }, [])

  const selectTenant = useCallback((id: string) => {
    window.localStorage.setItem(TENANT_KEY, id)
    configureApi({ tenant: id })
    setTenantId(id)
  }, [])

  const value = useMemo<SessionValue | null>(() => {
    if (!session) return null
    const roles = rolesIn(session, tenantId)
    const isPlatformAdmin = session.user.grants.some((g) => g.tenant === '*' && g.role === 'admin')
    return {
      session,
      tenant: session.tenants.find((t) => t.id === tenantId) ?? null,
      roles,
      isPlatformAdmin,
      // Admins of the tenant can do everything of it.
      can: (...wanted: string[]) => wanted.some((r) => roles.has(r)),
      selectTenant,
      async signOut() {
        const answer = await api<{ logoutUrl?: string } | undefined>('POST', '/auth/logout').catch(() => undefined)
        window.location.assign(answer?.logoutUrl ?? '/')
      },
    }
  }, [session, tenantId, selectTenant])

  if (!value) return <>{fallback(failure ?? 'loading')}</>
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>
}
