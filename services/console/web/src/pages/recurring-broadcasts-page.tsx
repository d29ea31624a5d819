import { Button } from 'design-react-kit'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { broadcastApi } from '../api/api-client'
import type { RecurringBroadcastView } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { SeriesOccurrences } from '../recurring/series-occurrences'
import { describeRecurrence, SERIES_STATUS } from '../recurring/recurrence-labels'
import { useSession } from '../session/session-context'

/**
 * The tenant's recurring broadcasts (waste collection, markets, deadlines) and their next sends.
 * Operators write a series here (`nuova`); each series' page approves, cancels and steers it.
 */
export default function RecurringBroadcastsPage() {
  usePageTitle('Comunicazioni ricorrenti')
  const { can } = useSession()
  const list = useApi<{ series: RecurringBroadcastView[] }>(broadcastApi('/v1/recurring-broadcasts'))
  const [selected, setSelected] = useState<RecurringBroadcastView | null>(null)
  return (
    <>
      <h1>Comunicazioni ricorrenti</h1>
      <p>
        Avvisi che si ripetono (raccolta dei rifiuti, mercato, scadenze): una sola approvazione vale per tutta la serie fino alla data di fine. Ogni invio si
        può saltare. Date e ore sono quelle italiane.
      </p>
      {can('operator') ? (
        <p>
          <Link to="/comunicazioni-ricorrenti/nuova" className="btn btn-primary">Nuova comunicazione ricorrente</Link>
        </p>
      ) : null}
      <ProblemAlert error={list.error} />
      {!list.data ? (
        list.error ? null : <Loading />
      ) : list.data.series.length === 0 ? (
        <p>Nessuna comunicazione ricorrente.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Comunicazioni ricorrenti del Comune</caption>
          <thead>
            <tr>
              <th scope="col">Titolo</th>
              <th scope="col">Ricorrenza</th>
              <th scope="col">Stato</th>
              <th scope="col">Prossimo invio</th>
              <th scope="col"><span className="visually-hidden">Azioni</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.series.map((s) => (
              <tr key={s.id}>
                <td><Link to={`/comunicazioni-ricorrenti/${s.id}`}>{s.draft.title}</Link></td>
                <td>{describeRecurrence(s.recurrence)}</td>
                <td>{SERIES_STATUS[s.status]}</td>
                <td>{formatDateTime(s.nextAt)}</td>
                <td>
                  <Button color="primary" size="sm" outline onClick={() => setSelected(s)} aria-pressed={selected?.id === s.id}>
                    Invii<span className="visually-hidden"> di «{s.draft.title}»</span>
                  </Button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {selected ? <SeriesOccurrences key={selected.id} series={selected} /> : null}
    </>
  )
}
