import { useEffect, useRef, type ReactNode } from 'react'
import { NavLink, useLocation } from 'react-router-dom'
import { useSession } from '../session/session-context'

interface NavEntry {
  to: string
  label: string
  roles: string[]
}

/** What each role finds in the menu; a route the roles do not allow also answers with the refusal page. */
export const NAVIGATION: NavEntry[] = [
  { to: '/', label: 'Cruscotto', roles: ['operator', 'approver', 'admin', 'civil-protection'] },
  { to: '/comunicazioni', label: 'Comunicazioni', roles: ['operator', 'approver', 'admin'] },
  { to: '/emergenze', label: 'Emergenze', roles: ['civil-protection', 'admin', 'operator', 'approver'] },
  { to: '/token', label: 'Token API', roles: ['admin'] },
]

/** Header (municipality, tenant switcher, person, sign-out), skip link, menu, main, footer. */
export function Layout({ children }: { children: ReactNode }) {
  const { session, tenant, roles, selectTenant, signOut } = useSession()
  const location = useLocation()
  const mainRef = useRef<HTMLElement>(null)
  const first = useRef(true)

  // After a client-side navigation, focus goes to the new page's heading (or main), as a page load would.
  useEffect(() => {
    if (first.current) {
      first.current = false
      return
    }
    const frame = window.requestAnimationFrame(() => {
      const heading = mainRef.current?.querySelector<HTMLElement>('h1')
      const target = heading ?? mainRef.current
      if (!target) return
      if (!target.hasAttribute('tabindex')) target.setAttribute('tabindex', '-1')
      target.focus()
    })
    return () => window.cancelAnimationFrame(frame)
  }, [location.pathname])

  const entries = NAVIGATION.filter((e) => e.roles.some((r) => roles.has(r)))
  return (
    <>
      <a className="visually-hidden-focusable skiplink-item" href="#contenuto" onClick={(e) => {
        e.preventDefault()
        const main = mainRef.current
        main?.focus()
      }}>
        Vai al contenuto principale
      </a>
      <header className="it-header-wrapper">
        <div className="it-header-slim-wrapper">
          <div className="container">
            <div className="d-flex justify-content-between align-items-center py-2 flex-wrap gap-2">
              <span className="it-header-slim-wrapper-content text-white">Banditore · console del personale</span>
              <div className="d-flex align-items-center gap-3 flex-wrap">
                {session.tenants.length > 1 ? (
                  <div className="d-flex align-items-center gap-2">
                    <label htmlFor="scelta-comune" className="text-white mb-0 small">
                      Comune
                    </label>
                    <select id="scelta-comune" className="form-select form-select-sm" value={tenant?.id ?? ''} onChange={(e) => selectTenant(e.target.value)}>
                      {session.tenants.map((t) => (
                        <option key={t.id} value={t.id}>
                          {t.name}
                        </option>
                      ))}
                    </select>
                  </div>
                ) : null}
                <span className="text-white small" data-testid="utente">
                  {session.user.name}
                </span>
                <button type="button" className="btn btn-sm btn-outline-light" onClick={() => void signOut()}>
                  Esci
                </button>
              </div>
            </div>
          </div>
        </div>
        <div className="it-header-center-wrapper">
          <div className="container">
            <div className="it-header-center-content-wrapper">
              <div className="it-brand-wrapper">
                <div className="it-brand-text">
                  <p className="it-brand-title h2 mb-0 text-white">{tenant?.name ?? 'Nessun Comune'}</p>
                  <p className="it-brand-tagline mb-0 text-white">Comunicazioni ed emergenze ai cittadini</p>
                </div>
              </div>
            </div>
          </div>
        </div>
        <div className="it-header-navbar-wrapper">
          <div className="container">
            <nav className="navbar navbar-expand" aria-label="Menu principale">
              <ul className="navbar-nav flex-wrap">
                {entries.map((e) => (
                  <li className="nav-item" key={e.to}>
                    <NavLink to={e.to} end={e.to === '/'} className={({ isActive }) => `nav-link text-white${isActive ? ' active fw-bold text-decoration-underline' : ''}`}>
                      <span>{e.label}</span>
                    </NavLink>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
        </div>
      </header>
      <main id="contenuto" ref={mainRef} tabIndex={-1} className="container my-4 console-main">
        {children}
      </main>
      <footer className="it-footer">
        <div className="it-footer-small-prints clearfix">
          <div className="container">
            <ul className="it-footer-small-prints-list list-inline mb-0 d-flex flex-column flex-md-row py-3">
              <li className="list-inline-item text-white">Banditore – servizio di messaggistica del Comune</li>
              <li className="list-inline-item">
                <a href="/api/broadcast/docs" className="text-white">
                  Documentazione API
                </a>
              </li>
            </ul>
          </div>
        </div>
      </footer>
    </>
  )
}
