import { Button } from 'design-react-kit'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api, broadcastApi } from '../api/api-client'
import type { OccurrenceView, Recurrence, RecurringBroadcastView } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const SERIES_STATUS: Record<RecurringBroadcastView['status'], string> = { draft: 'Da approvare', active: 'Attiva', ended: 'Conclusa', cancelled: 'Annullata' }
const OCCURRENCE_STATE: Record<OccurrenceView['state'], string> = {
  scheduled: 'In programma',
  edited: 'Testo modificato, approvato',
  'edit-pending': 'Testo modificato, da approvare',
  skipped: 'Saltata',
  dispatched: 'Inviata',
  refused: 'Non inviata',
}
const WEEKDAY: Record<string, string> = {
  monday: 'lunedì',
  tuesday: 'martedì',
  wednesday: 'mercoledì',
  thursday: 'giovedì',
  friday: 'venerdì',
  saturday: 'sabato',
  sunday: 'domenica',
}
const day = (date: string) => date.split('-').reverse().join('/')

/** The recurrence as staff read it, in Italian. */
function describeRecurrence(r: Recurrence): string {
  if ('dates' in r) return r.dates.length === 1 ? 'una data annunciata' : `${r.dates.length} date annunciate`
  const when = r.every === 'week' ? `ogni ${r.weekdays.map((d) => WEEKDAY[d] ?? d).join(', ')}` : `il giorno ${r.day} di ogni mese`
  return `${when} alle ${r.at}, dal ${day(r.from)} al ${day(r.until)}`
}

/** One series' occurrences: those handled, then the next ones; staff skip one. */
function Occurrences({ series }: { series: RecurringBroadcastView }) {
  const { can } = useSession()
  const list = useApi<{ occurrences: OccurrenceView[] }>(broadcastApi(`/v1/recurring-broadcasts/${series.id}/occurrences`))
  const [skipping, setSkipping] = useState<OccurrenceView | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const mayskip = can('operator', 'approver') && series.status === 'active'
  return (
    <section aria-labelledby="titolo-ricorrenze" className="mt-4">
      <h2 id="titolo-ricorrenze" className="h4">Invii di «{series.draft.title}»</h2>
      <ProblemAlert error={list.error} />
      <ProblemAlert error={error} title="Ricorrenza non saltata" />
      {!list.data ? (
        list.error ? null : <Loading />
      ) : list.data.occurrences.length === 0 ? (
        <p>Nessun invio in programma.</p>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Invii della serie, ora italiana</caption>
          <thead>
            <tr>
              <th scope="col">Data e ora</th>
              <th scope="col">Stato</th>
              <th scope="col"><span className="visually-hidden">Azioni</span></th>
            </tr>
          </thead>
          <tbody>
            {list.data.occurrences.map((o) => (
              <tr key={o.at}>
                <td>{formatDateTime(o.at)}</td>
                <td>
                  {OCCURRENCE_STATE[o.state]}
                  {o.reason ? ` (${o.reason})` : ''}
                </td>
                <td>
                  {o.state === 'dispatched' && o.broadcastId ? (
                    <Link to={`/comunicazioni/${o.broadcastId}`}>Vedi l’invio</Link>
                  ) : mayskip && o.state !== 'skipped' && o.state !== 'refused' && new Date(o.at) > new Date() ? (
                    <Button color="secondary" size="sm" onClick={() => setSkipping(o)}>
                      Salta<span className="visually-hidden"> l’invio del {formatDateTime(o.at)}</span>
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={skipping !== null}
        title="Saltare questo invio?"
        confirmLabel="Salta l’invio"
        busy={busy}
        onCancel={() => setSkipping(null)}
        onConfirm={() => {
          if (!skipping) return
          setBusy(true)
          setError(null)
          api<OccurrenceView>('POST', broadcastApi(`/v1/recurring-broadcasts/${series.id}/occurrences/${skipping.at}/skip`), {})
            .then(() => list.reload())
            .catch((e: unknown) => setError(e))
            .finally(() => {
              setBusy(false)
              setSkipping(null)
            })
        }}
      >
        <p>L’invio del {skipping ? formatDateTime(skipping.at) : ''} non partirà; gli altri della serie restano in programma.</p>
      </ConfirmDialog>
    </section>
  )
}

/**
 * The tenant's recurring broadcasts (waste collection, markets, deadlines) and their next sends.
 * Series are created and approved through the staff API; here staff see them and skip a send.
 */
export default function RecurringBroadcastsPage() {
  usePageTitle('Comunicazioni ricorrenti')
  const list = useApi<{ series: RecurringBroadcastView[] }>(broadcastApi('/v1/recurring-broadcasts'))
  const [selected, setSelected] = useState<RecurringBroadcastView | null>(null)
  return (
    <>
      <h1>Comunicazioni ricorrenti</h1>
      <p>
        Avvisi che si ripetono (raccolta dei rifiuti, mercato, scadenze): una sola approvazione vale per tutta la serie fino alla data di fine. Ogni invio si
        può saltare. Date e ore sono quelle italiane.
      </p>
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
                <td>{s.draft.title}</td>
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
      {selected ? <Occurrences key={selected.id} series={selected} /> : null}
    </>
  )
}
