import { Link } from 'react-router-dom'
import { broadcastApi } from '../api/api-client'
import type { BroadcastView } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { BROADCAST_BADGE, BROADCAST_STATUS, formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

export default function BroadcastListPage() {
  usePageTitle('Comunicazioni')
  const { can } = useSession()
  const { data, error } = useApi<{ broadcasts: BroadcastView[] }>(broadcastApi('/v1/broadcasts?limit=100'))
  return (
    <>
      <div className="d-flex justify-content-between align-items-center flex-wrap gap-2">
        <h1>Comunicazioni</h1>
        {can('operator') ? (
          <Link className="btn btn-primary" to="/comunicazioni/nuova">
            Nuova comunicazione
          </Link>
        ) : null}
      </div>
      <ProblemAlert error={error} />
      {!data && !error ? <Loading /> : null}
      {data && data.broadcasts.length === 0 ? <p>Nessuna comunicazione finora.</p> : null}
      {data && data.broadcasts.length > 0 ? (
        <div className="table-responsive">
          <table className="table table-hover">
            <caption className="visually-hidden">Comunicazioni del Comune, dalla più recente</caption>
            <thead>
              <tr>
                <th scope="col">Titolo</th>
                <th scope="col">Stato</th>
                <th scope="col">Creata</th>
                <th scope="col">Invio</th>
              </tr>
            </thead>
            <tbody>
              {data.broadcasts.map((b) => (
                <tr key={b.id}>
                  <td>
                    <Link to={`/comunicazioni/${b.id}`}>{b.draft.title}</Link>
                  </td>
                  <td>
                    <span className={`badge ${BROADCAST_BADGE[b.status] ?? 'bg-secondary'}`}>{BROADCAST_STATUS[b.status] ?? b.status}</span>
                  </td>
                  <td>{formatDateTime(b.createdAt)}</td>
                  <td>{formatDateTime(b.sendAt ?? b.startedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  )
}
