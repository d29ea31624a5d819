import { Component, lazy, Suspense, type ErrorInfo, type ReactNode } from 'react'
import { BrowserRouter, Navigate, Route, Routes } from 'react-router-dom'
import { Loading } from './components/loading'
import { Layout } from './layout/layout'
import { ErrorPage, NotFoundPage } from './pages/error-page'
import { RefusalPage } from './pages/refusal-page'
import { SessionProvider, useSession } from './session/session-context'

// One chunk per page: the first page loads only what it shows.
const DashboardPage = lazy(() => import('./pages/dashboard-page'))
const BroadcastListPage = lazy(() => import('./pages/broadcast-list-page'))
const BroadcastComposePage = lazy(() => import('./pages/broadcast-compose-page'))
const BroadcastDetailPage = lazy(() => import('./pages/broadcast-detail-page'))
const EmergencyPage = lazy(() => import('./pages/emergency-page'))
const EmergencyDetailPage = lazy(() => import('./pages/emergency-detail-page'))
const TokensPage = lazy(() => import('./pages/tokens-page'))
const ElectoralPeriodsPage = lazy(() => import('./pages/electoral-periods-page'))
const RecurringBroadcastsPage = lazy(() => import('./pages/recurring-broadcasts-page'))
const RecurringBroadcastNewPage = lazy(() => import('./pages/recurring-broadcast-new-page'))
const RecurringBroadcastDetailPage = lazy(() => import('./pages/recurring-broadcast-detail-page'))
const RecurringOccurrenceEditPage = lazy(() => import('./pages/recurring-occurrence-edit-page'))
const DeskInboxPage = lazy(() => import('./pages/desk-inbox-page'))
const DeskConversationPage = lazy(() => import('./pages/desk-conversation-page'))
const DeskHoursPage = lazy(() => import('./pages/desk-hours-page'))
const DeskCannedPage = lazy(() => import('./pages/desk-canned-page'))
const SubscribersPage = lazy(() => import('./pages/subscribers-page'))
const SubscriberDetailPage = lazy(() => import('./pages/subscriber-detail-page'))
const PaperSignupPage = lazy(() => import('./pages/paper-signup-page'))
const ImportPage = lazy(() => import('./pages/import-page'))
const PolicyRulesPage = lazy(() => import('./pages/policy-rules-page'))
const PolicyRulePage = lazy(() => import('./pages/policy-rule-page'))
const PolicyVersionsPage = lazy(() => import('./pages/policy-versions-page'))
const PolicyReviewPage = lazy(() => import('./pages/policy-review-page'))
const POLICY = ['policy-editor', 'admin']
const SUBSCRIBERS = ['desk', 'privacy-officer', 'admin']
const DESK = ['desk', 'admin']

const READ = ['operator', 'approver', 'admin', 'civil-protection']
const BROADCASTS = ['operator', 'approver', 'admin']
const EMERGENCIES = ['civil-protection', 'admin', 'operator', 'approver']

/** The page, if the person's roles in the selected tenant allow it; otherwise the refusal page. */
function Allowed({ roles, children }: { roles: string[]; children: ReactNode }) {
  const { can } = useSession()
  return can(...roles) ? <>{children}</> : <RefusalPage />
}

/** Catches render failures: the person reads Italian, never a blank page or a stack trace. */
class Boundary extends Component<{ children: ReactNode; resetKey: string }, { error: unknown }> {
  override state: { error: unknown } = { error: null }
  static getDerivedStateFromError(error: unknown) {
    return { error }
  }
  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('console page failed', error, info.componentStack)
  }
  override componentDidUpdate(previous: { resetKey: string }) {
    if (previous.resetKey !== this.props.resetKey && this.state.error) this.setState({ error: null })
  }
  override render() {
    return this.state.error ? <ErrorPage error={this.state.error} /> : this.props.children
  }
}

/** The dashboard; a person who only works the desk starts at the desk. */
function Home() {
  const { can } = useSession()
  if (!can(...READ) && can('desk')) return <Navigate to="/sportello" replace />
  return <Allowed roles={READ}><DashboardPage /></Allowed>
}

function ConsoleRoutes() {
  const { tenant } = useSession()
  return (
    <Layout>
      <Boundary resetKey={`${tenant?.id}:${window.location.pathname}`}>
        <Suspense fallback={<Loading />}>
          {/* key: a tenant switch remounts the page with the other tenant's data. */}
          <Routes key={tenant?.id ?? 'none'}>
            <Route path="/" element={<Home />} />
            <Route path="/comunicazioni" element={<Allowed roles={BROADCASTS}><BroadcastListPage /></Allowed>} />
            <Route path="/comunicazioni/nuova" element={<Allowed roles={['operator']}><BroadcastComposePage /></Allowed>} />
            <Route path="/comunicazioni/:id/modifica" element={<Allowed roles={['operator']}><BroadcastComposePage /></Allowed>} />
            <Route path="/comunicazioni/:id" element={<Allowed roles={BROADCASTS}><BroadcastDetailPage /></Allowed>} />
            <Route path="/comunicazioni-ricorrenti" element={<Allowed roles={BROADCASTS}><RecurringBroadcastsPage /></Allowed>} />
            <Route path="/comunicazioni-ricorrenti/nuova" element={<Allowed roles={['operator']}><RecurringBroadcastNewPage /></Allowed>} />
            <Route path="/comunicazioni-ricorrenti/:id" element={<Allowed roles={BROADCASTS}><RecurringBroadcastDetailPage /></Allowed>} />
            <Route path="/comunicazioni-ricorrenti/:id/invii/:at/modifica" element={<Allowed roles={['operator']}><RecurringOccurrenceEditPage /></Allowed>} />
            <Route path="/emergenze" element={<Allowed roles={EMERGENCIES}><EmergencyPage /></Allowed>} />
            <Route path="/emergenze/:id" element={<Allowed roles={EMERGENCIES}><EmergencyDetailPage /></Allowed>} />
            <Route path="/token" element={<Allowed roles={['admin']}><TokensPage /></Allowed>} />
            <Route path="/periodi-elettorali" element={<Allowed roles={['admin', 'approver']}><ElectoralPeriodsPage /></Allowed>} />
            <Route path="/sportello" element={<Allowed roles={DESK}><DeskInboxPage /></Allowed>} />
            <Route path="/sportello/orari" element={<Allowed roles={DESK}><DeskHoursPage /></Allowed>} />
            <Route path="/sportello/risposte" element={<Allowed roles={DESK}><DeskCannedPage /></Allowed>} />
            <Route path="/sportello/:id" element={<Allowed roles={DESK}><DeskConversationPage /></Allowed>} />
            <Route path="/iscritti" element={<Allowed roles={SUBSCRIBERS}><SubscribersPage /></Allowed>} />
            <Route path="/iscritti/modulo-cartaceo" element={<Allowed roles={SUBSCRIBERS}><PaperSignupPage /></Allowed>} />
            <Route path="/iscritti/importazioni" element={<Allowed roles={SUBSCRIBERS}><ImportPage /></Allowed>} />
            <Route path="/iscritti/:id" element={<Allowed roles={SUBSCRIBERS}><SubscriberDetailPage /></Allowed>} />
            <Route path="/regole" element={<Allowed roles={POLICY}><PolicyRulesPage /></Allowed>} />
            <Route path="/regole/versioni" element={<Allowed roles={POLICY}><PolicyVersionsPage /></Allowed>} />
            <Route path="/regole/da-verificare" element={<Allowed roles={POLICY}><PolicyReviewPage /></Allowed>} />
            <Route path="/regole/:direction/:name" element={<Allowed roles={POLICY}><PolicyRulePage /></Allowed>} />
            <Route path="*" element={<NotFoundPage />} />
          </Routes>
        </Suspense>
      </Boundary>
    </Layout>
  )
}

export function App() {
  return (
    <BrowserRouter>
    <SessionProvider
      fallback={(state) =>
        state === 'loading' ? (
          <main id="contenuto" className="container my-5">
            <h1 className="visually-hidden">Banditore</h1>
            <Loading label="Verifica dell’accesso in corso…" />
          </main>
        ) : (
          <main id="contenuto" className="container my-5">
            <ErrorPage error={state} />
          </main>
        )
      }
    >
      <ConsoleRoutes />
    </SessionProvider>
    </BrowserRouter>
  )
}
