import { Link, useSearchParams } from 'react-router-dom'
import { deskApi, type ConversationList } from '../api/desk-types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { useDeskRevision } from '../desk/desk-stream'
import { HelpRequestBadge, OfficeHoursBadge, WindowCountdown } from '../desk/desk-widgets'
import { CHANNEL, formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const FILTERS = [
  { id: 'open', label: 'In attesa' },
  { id: 'answered', label: 'Con risposta' },
  { id: 'all', label: 'Tutte' },
] as const

/**
 * The desk's inbox: one row per citizen, those asking for help (an emergency's safety poll) first,
 * then the longest waiting; it refreshes by itself.
 */
export default function DeskInboxPage() {
  usePageTitle('Sportello')
  const { tenant } = useSession()
  const [params, setParams] = useSearchParams()
  const status = FILTERS.find((f) => f.id === params.get('stato'))?.id ?? 'open'
  const { revision, state } = useDeskRevision(tenant?.id ?? null)
  const { data, error } = useApi<ConversationList>(tenant ? deskApi(tenant.id, `/conversations?status=${status}`) : null, revision)
  // The API lists help requests first already; kept so whatever it answers (a stable sort).
  const conversations = data ? [...data.conversations].sort((a, b) => Number(b.urgentCount > 0) - Number(a.urgentCount > 0)) : []
  const urgent = conversations.filter((c) => c.urgentCount > 0).length
  return (
    <>
      <div className="d-flex justify-content-between align-items-center flex-wrap gap-2">
        <h1>Sportello</h1>
        <div className="d-flex gap-2 flex-wrap">
          <Link className="btn btn-outline-primary" to="/sportello/orari">
            Aperture e chiusure
          </Link>
          <Link className="btn btn-outline-primary" to="/sportello/risposte">
            Risposte predefinite
          </Link>
        </div>
      </div>
      {data ? <OfficeHoursBadge hours={data.officeHours} /> : null}
      {urgent > 0 ? (
        <p className="alert alert-danger mt-3 mb-0" data-testid="richieste-di-aiuto">
          {urgent === 1 ? '1 cittadino chiede aiuto' : `${urgent} cittadini chiedono aiuto`} rispondendo al sondaggio di un’allerta: sono in cima all’elenco.
        </p>
      ) : null}
      <p className="small mt-2 mb-3" aria-live="polite">
        {state === 'live' ? 'Aggiornamento automatico attivo: i nuovi messaggi compaiono da soli.' : state === 'reconnecting' ? 'Aggiornamento automatico interrotto: nuovo tentativo in corso…' : 'Collegamento per l’aggiornamento automatico…'}
      </p>
      <nav aria-label="Filtro delle conversazioni" className="mb-3">
        <ul className="nav nav-tabs">
          {FILTERS.map((f) => (
            <li className="nav-item" key={f.id}>
              <button
                type="button"
                className={`nav-link${status === f.id ? ' active' : ''}`}
                aria-current={status === f.id ? 'page' : undefined}
                onClick={() => setParams(f.id === 'open' ? {} : { stato: f.id })}
              >
                {f.label}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <ProblemAlert error={error} />
      {!data && !error ? <Loading /> : null}
      {data && data.conversations.length === 0 ? <p>{status === 'open' ? 'Nessun messaggio in attesa di risposta.' : 'Nessuna conversazione.'}</p> : null}
      {data && conversations.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-hover" data-testid="conversazioni">
            <caption className="visually-hidden">Conversazioni dello sportello: prima le richieste di aiuto, poi dalla più vecchia in attesa</caption>
            <thead>
              <tr>
                <th scope="col">Cittadino</th>
                <th scope="col">Ultimo messaggio</th>
                <th scope="col">In attesa</th>
                <th scope="col">Dal</th>
                <th scope="col">Finestra</th>
                <th scope="col">In carico a</th>
              </tr>
            </thead>
            <tbody>
              {conversations.map((c) => (
                <tr key={c.id}>
                  <td>
                    <Link to={`/sportello/${c.id}`}>{c.name ? `${c.name} (${c.phone})` : c.phone}</Link>
                    {c.urgentCount > 0 ? <HelpRequestBadge count={c.urgentCount} className="ms-2" /> : null}
                    <span className="d-block small">
                      {CHANNEL[c.channel] ?? c.channel}
                      {c.blocked ? ' · bloccato' : ''}
                    </span>
                  </td>
                  <td className="text-break">{c.lastText ?? '(contenuto multimediale)'}</td>
                  <td>{c.openCount}</td>
                  <td>{formatDateTime(c.waitingSince ?? c.lastMessageAt)}</td>
                  <td>
                    <WindowCountdown endsAt={c.windowEndsAt} compact />
                  </td>
                  <td>{c.assignedTo ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  )
}
