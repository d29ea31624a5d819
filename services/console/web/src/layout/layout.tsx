import {
  Button,
  Header,
  HeaderBrand,
  HeaderContent,
  HeaderRightZone,
  Headers,
  Nav,
  NavItem,
  NavLink,
  SkiplinkItem,
} from 'design-react-kit'
import { useEffect, useRef, type ReactNode } from 'react'
import { matchPath, NavLink as RouterNavLink, useLocation, useMatch } from 'react-router-dom'
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
  { to: '/comunicazioni-ricorrenti', label: 'Comunicazioni ricorrenti', roles: ['operator', 'approver', 'admin'] },
  { to: '/emergenze', label: 'Emergenze', roles: ['civil-protection', 'admin', 'operator', 'approver'] },
  { to: '/sportello', label: 'Sportello', roles: ['desk', 'admin'] },
  { to: '/sportello/orari', label: 'Aperture e chiusure', roles: ['desk', 'admin'] },
  { to: '/iscritti', label: 'Iscritti', roles: ['desk', 'privacy-officer', 'admin'] },
  { to: '/regole', label: 'Regole di moderazione', roles: ['policy-editor', 'admin'] },
  { to: '/regole/da-verificare', label: 'Messaggi da verificare', roles: ['policy-editor', 'admin'] },
  { to: '/periodi-elettorali', label: 'Periodi elettorali', roles: ['admin', 'approver'] },
  { to: '/token', label: 'Token API', roles: ['admin'] },
]

/** One menu entry: the design system's NavLink rendered as the router's link (client-side navigation, aria-current). */
function MenuLink({ entry }: { entry: NavEntry }) {
  const end = entry.to === '/'
  const { pathname } = useLocation()
  // The most specific entry is current: on the desk's hours, "Aperture e chiusure", not "Sportello".
  const deeper = NAVIGATION.some((other) => other.to.startsWith(`${entry.to}/`) && matchPath({ path: other.to, end: false }, pathname) !== null)
  const active = useMatch({ path: entry.to, end }) !== null && !deeper
  return (
    <NavItem>
      <NavLink tag={RouterNavLink} to={entry.to} end={end || deeper} active={active} className={`text-white${active ? ' fw-bold text-decoration-underline' : ''}`}>
        <span>{entry.label}</span>
      </NavLink>
    </NavItem>
  )
}

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
      {/* Bootstrap Italia's skiplinks container, written out: design-react-kit 5.10's <Skiplink> drops its
          children unless it renders a <nav> (a landmark this single link does not need). */}
      <div className="skiplinks">
        {/* onClickCapture, not onClick: SkiplinkItem swaps href for "#" when given onClick. Focus moves to
            main without changing the URL the router owns. */}
        <SkiplinkItem
          href="#contenuto"
          onClickCapture={(e) => {
            e.preventDefault()
            mainRef.current?.focus()
          }}
        >
          Vai al contenuto principale
        </SkiplinkItem>
      </div>
      <header>
        <Headers>
          <Header type="slim">
            <HeaderContent className="flex-wrap gap-2">
              <HeaderBrand tag="span" responsive>
                Banditore · console del personale
              </HeaderBrand>
              <HeaderRightZone className="gap-3 flex-wrap">
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
                <Button type="button" color="light" outline size="sm" onClick={() => void signOut()}>
                  Esci
                </Button>
              </HeaderRightZone>
            </HeaderContent>
          </Header>
          <Header type="center">
            <HeaderContent>
              {/* No href: the brand names the municipality, it is not a link (HeaderBrand renders an <a> without href).
                  One child: HeaderBrand hides every child after the first on small screens, the tagline included. */}
              <HeaderBrand>
                <div>
                  <p className="it-brand-title h2 mb-0 text-white">{tenant?.name ?? 'Nessun Comune'}</p>
                  <p className="it-brand-tagline mb-0 text-white">Comunicazioni ed emergenze ai cittadini</p>
                </div>
              </HeaderBrand>
            </HeaderContent>
          </Header>
          {/* bg-primary: Bootstrap Italia colours the navbar band from 992px only (below, it expects the off-canvas
              menu); the always-shown white links need the blue band on phones too. */}
          <Header type="navbar" className="bg-primary">
            <HeaderContent expand aria-label="Menu principale">
              <Nav navbar className="flex-wrap">
                {entries.map((e) => (
                  <MenuLink key={e.to} entry={e} />
                ))}
              </Nav>
            </HeaderContent>
          </Header>
        </Headers>
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
