import type { SubscriberSearchResult } from '@banditore/contracts'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api, subscriptionsApi } from '../api/api-client'
import { ProblemAlert } from '../components/problem-alert'
import { CHANNEL, formatDateTime, LANGUAGE } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { SUBSCRIBER_STATUS } from '../subscribers/subscriber-labels'

/** Iscritti: search by phone number (any usual form) or by name. */
export default function SubscribersPage() {
  usePageTitle('Iscritti')
  const { tenant } = useSession()
  const [query, setQuery] = useState('')
  const [result, setResult] = useState<SubscriberSearchResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <>
      <h1>Iscritti</h1>
      <p>Cerca un cittadino per numero di telefono, scritto in qualunque forma (per esempio 347 123 4567 o +39 347…), oppure per nome.</p>
      <ul className="list-inline">
        <li className="list-inline-item">
          <Link to="/iscritti/modulo-cartaceo">Registra un modulo cartaceo</Link>
        </li>
        <li className="list-inline-item">
          <Link to="/iscritti/importazioni">Importa un elenco</Link>
        </li>
      </ul>
      <form
        role="search"
        className="row g-3 align-items-end mb-4"
        onSubmit={(e) => {
          e.preventDefault()
          setError(null)
          setBusy(true)
          api<SubscriberSearchResult>('POST', subscriptionsApi(`/staff/${tenant?.id}/subscribers/search`), { query })
            .then(setResult)
            .catch((err: unknown) => setError(err))
            .finally(() => setBusy(false))
        }}
      >
        <div className="col-md-8 form-group mb-0">
          <label htmlFor="ricerca-iscritti" className="active">Numero di telefono o nome</label>
          <input id="ricerca-iscritti" className="form-control" required minLength={2} maxLength={120} value={query} onChange={(e) => setQuery(e.target.value)} />
        </div>
        <div className="col-md-4">
          <button type="submit" className="btn btn-primary" disabled={busy}>Cerca</button>
        </div>
      </form>
      <ProblemAlert error={error} title="Ricerca non riuscita" />
      <div aria-live="polite">
        {result ? (
          result.subscribers.length === 0 ? (
            <p data-testid="nessun-risultato">Nessun cittadino trovato {result.matchedBy === 'phone' ? 'con questo numero' : 'con questo nome'}.</p>
          ) : (
            <div className="table-responsive">
              <table className="table">
                <caption>{result.subscribers.length === 1 ? '1 cittadino trovato' : `${result.subscribers.length} cittadini trovati`}</caption>
                <thead>
                  <tr>
                    <th scope="col">Numero</th>
                    <th scope="col">Nome</th>
                    <th scope="col">Stato</th>
                    <th scope="col">Canale</th>
                    <th scope="col">Lingua</th>
                    <th scope="col">Iscritto dal</th>
                  </tr>
                </thead>
                <tbody>
                  {result.subscribers.map((s) => (
                    <tr key={s.id}>
                      <td>
                        <Link to={`/iscritti/${s.id}`}>{s.phone}</Link>
                      </td>
                      <td>{s.name ?? '—'}</td>
                      <td>
                        {SUBSCRIBER_STATUS[s.status]}
                        {s.blocked ? ' · bloccato' : ''}
                      </td>
                      <td>{CHANNEL[s.channel]}</td>
                      <td>{LANGUAGE[s.language] ?? s.language}</td>
                      <td>{s.status === 'active' ? formatDateTime(s.subscribedAt) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )
        ) : null}
      </div>
    </>
  )
}
