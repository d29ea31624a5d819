import { Button } from 'design-react-kit'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api, broadcastApi } from '../api/api-client'
import type { OccurrenceView, RecurringBroadcastView } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { ApprovalFields, statementMissing } from '../compose/approval-fields'
import { useElectoralPeriod } from '../compose/electoral-banner'
import { formatDateTime } from '../labels'
import { useSession } from '../session/session-context'
import { OCCURRENCE_STATE } from './recurrence-labels'

type Pending = { action: 'skip' | 'approve'; occurrence: OccurrenceView }

/** What an occurrence's edited text says (its SMS texts, or its WhatsApp template). */
function editedText(o: OccurrenceView): string {
  const sms = Object.values(o.draft?.sms?.texts ?? {})
  if (sms.length > 0) return sms.join(' / ')
  return o.draft?.whatsapp ? `modello WhatsApp «${o.draft.whatsapp.templateName}»` : ''
}

/**
 * One series' occurrences: those handled, then the next ones. Operators and approvers skip one,
 * operators replace one's text; an approver (not the one who edited it: the API enforces four eyes) approves an edited text.
 */
export function SeriesOccurrences({ series, reloadKey }: { series: RecurringBroadcastView; reloadKey?: unknown }) {
  const { can } = useSession()
  const list = useApi<{ occurrences: OccurrenceView[] }>(broadcastApi(`/v1/recurring-broadcasts/${series.id}/occurrences`), reloadKey)
  const electoralPeriod = useElectoralPeriod()
  const [pending, setPending] = useState<Pending | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [statement, setStatement] = useState('')
  const [acknowledge, setAcknowledge] = useState(false)
  const active = series.status === 'active'
  const mayskip = can('operator', 'approver') && active
  const mayapprove = can('approver') && active
  const mayedit = can('operator') && active
  const future = (o: OccurrenceView) => new Date(o.at) > new Date()

  const confirm = () => {
    if (!pending) return
    const { action, occurrence } = pending
    setBusy(true)
    setError(null)
    const body = action === 'skip' ? {} : { acknowledgeFindings: acknowledge || undefined, statement: electoralPeriod ? statement : undefined }
    api<OccurrenceView>('POST', broadcastApi(`/v1/recurring-broadcasts/${series.id}/occurrences/${occurrence.at}/${action}`), body)
      .then(() => list.reload())
      .catch((e: unknown) => setError(e))
      .finally(() => {
        setBusy(false)
        setPending(null)
      })
  }

  return (
    <section aria-labelledby="titolo-ricorrenze" className="mt-4">
      <h2 id="titolo-ricorrenze" className="h4">Invii di «{series.draft.title}»</h2>
      <ProblemAlert error={list.error} />
      <ProblemAlert error={error} title={pending?.action === 'approve' ? 'Testo non approvato' : 'Ricorrenza non aggiornata'} />
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
                  {o.state === 'edit-pending' || o.state === 'edited' ? <span className="d-block small">Nuovo testo: {editedText(o)}</span> : null}
                </td>
                <td>
                  <div className="d-flex gap-2 flex-wrap">
                    {o.state === 'dispatched' && o.broadcastId ? <Link to={`/comunicazioni/${o.broadcastId}`}>Vedi l’invio</Link> : null}
                    {mayedit && ['scheduled', 'edited', 'edit-pending'].includes(o.state) && future(o) ? (
                      <Link className="btn btn-outline-primary btn-sm" to={`/comunicazioni-ricorrenti/${series.id}/invii/${encodeURIComponent(o.at)}/modifica`}>
                        Modifica il testo<span className="visually-hidden"> dell’invio del {formatDateTime(o.at)}</span>
                      </Link>
                    ) : null}
                    {mayapprove && o.state === 'edit-pending' && future(o) ? (
                      <Button color="success" size="sm" onClick={() => setPending({ action: 'approve', occurrence: o })}>
                        Approva il testo<span className="visually-hidden"> dell’invio del {formatDateTime(o.at)}</span>
                      </Button>
                    ) : null}
                    {mayskip && o.state !== 'dispatched' && o.state !== 'skipped' && o.state !== 'refused' && future(o) ? (
                      <Button color="secondary" size="sm" onClick={() => setPending({ action: 'skip', occurrence: o })}>
                        Salta<span className="visually-hidden"> l’invio del {formatDateTime(o.at)}</span>
                      </Button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={pending?.action === 'approve' ? 'Approvare il testo modificato?' : 'Saltare questo invio?'}
        confirmLabel={pending?.action === 'approve' ? 'Approva il testo' : 'Salta l’invio'}
        busy={busy}
        confirmDisabled={pending?.action === 'approve' && statementMissing(electoralPeriod, statement)}
        onCancel={() => setPending(null)}
        onConfirm={confirm}
      >
        {pending?.action === 'approve' ? (
          <>
            <p>L’invio del {formatDateTime(pending.occurrence.at)} partirà con il nuovo testo: {editedText(pending.occurrence)}</p>
            <ApprovalFields period={electoralPeriod} statement={statement} onStatement={setStatement} recordedWith="con la serie" check="unknown"
              acknowledge={acknowledge} onAcknowledge={setAcknowledge} />
          </>
        ) : (
          <p>L’invio del {pending ? formatDateTime(pending.occurrence.at) : ''} non partirà; gli altri della serie restano in programma.</p>
        )}
      </ConfirmDialog>
    </section>
  )
}
