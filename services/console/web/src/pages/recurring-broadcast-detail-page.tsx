import { useState } from 'react'
import { Link, useLocation, useParams } from 'react-router-dom'
import { api, broadcastApi } from '../api/api-client'
import type { RecurringBroadcastView } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { ApprovalFields, statementMissing } from '../compose/approval-fields'
import { ElectoralNotice, useElectoralPeriod } from '../compose/electoral-banner'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { describeRecurrence, SERIES_STATUS } from '../recurring/recurrence-labels'
import { SeriesOccurrences } from '../recurring/series-occurrences'
import { useSession } from '../session/session-context'
import { ErrorPage } from './error-page'

type Action = 'approve' | 'cancel'
const CONFIRM: Record<Action, { title: string; text: string; label: string; done: string }> = {
  approve: { title: 'Approvare la serie?', text: 'L’approvazione vale per tutti gli invii della serie, fino alla data di fine.', label: 'Approva la serie', done: 'Serie approvata.' },
  cancel: { title: 'Annullare la serie?', text: 'Nessun altro invio della serie partirà. Gli invii già fatti restano.', label: 'Annulla la serie', done: 'Serie annullata.' },
}
const CHECK: Record<string, string> = { clean: 'Nessun problema rilevato', flagged: 'Segnalato', unavailable: 'Controllo non eseguito' }

/** One recurring series: what it sends and when, its approval (four eyes) and cancellation, its sends. */
export default function RecurringBroadcastDetailPage() {
  const { id = '' } = useParams()
  const location = useLocation()
  const { can } = useSession()
  const { data: series, error, setData } = useApi<RecurringBroadcastView>(broadcastApi(`/v1/recurring-broadcasts/${id}`))
  const electoralPeriod = useElectoralPeriod()
  const [action, setAction] = useState<Action | null>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [statement, setStatement] = useState('')
  const [acknowledge, setAcknowledge] = useState(false)
  const [done, setDone] = useState<string | null>((location.state as { flash?: string } | null)?.flash ?? null)
  usePageTitle(series ? `Comunicazione ricorrente: ${series.draft.title}` : 'Comunicazione ricorrente')

  if (error) return <ErrorPage error={error} />
  if (!series) return <Loading />

  const run = async (which: Action) => {
    setBusy(true)
    setActionError(null)
    try {
      const body = which === 'approve' ? { acknowledgeFindings: acknowledge || undefined, statement: electoralPeriod ? statement : undefined } : undefined
      setData(await api<RecurringBroadcastView>('POST', broadcastApi(`/v1/recurring-broadcasts/${id}/${which}`), body))
      setDone(CONFIRM[which].done)
    } catch (e) {
      setActionError(e)
    } finally {
      setAction(null)
      setBusy(false)
    }
  }
  const check = series.outboundCheck
  const sms = Object.entries(series.draft.sms?.texts ?? {})

  return (
    <>
      <p>
        <Link to="/comunicazioni-ricorrenti">← Tutte le comunicazioni ricorrenti</Link>
      </p>
      <h1>{series.draft.title}</h1>
      <p>
        <span className="badge bg-secondary" data-testid="stato">{SERIES_STATUS[series.status]}</span> {describeRecurrence(series.recurrence)} (ora italiana). Creata da{' '}
        {series.createdBy} il {formatDateTime(series.createdAt)}
        {series.approvedAt ? `, approvata da ${series.approvedBy ?? ''} il ${formatDateTime(series.approvedAt)}` : ''}
        {series.cancelledAt ? `, annullata il ${formatDateTime(series.cancelledAt)}` : ''}.
      </p>
      <ElectoralNotice period={electoralPeriod} />
      {series.approvalStatement ? (
        <p>Dichiarazione dell’approvatore per il periodo elettorale “{series.approvalStatement.electoralPeriod}”: {series.approvalStatement.text}</p>
      ) : null}
      <div aria-live="polite">{done ? <div className="alert alert-success">{done}</div> : null}</div>
      <ProblemAlert error={actionError} title="Azione non eseguita" />

      <dl>
        <dt>Prossimo invio</dt>
        <dd>{series.nextAt ? formatDateTime(series.nextAt) : 'nessuno'}</dd>
        <dt>Controllo dei contenuti</dt>
        <dd>{CHECK[check.state] ?? check.state}{check.state === 'flagged' ? `: ${check.categories.join(', ')}` : ''}</dd>
        {series.draft.whatsapp ? (
          <>
            <dt>WhatsApp</dt>
            <dd>modello «{series.draft.whatsapp.templateName}»</dd>
          </>
        ) : null}
        {sms.map(([language, text]) => (
          <div key={language}>
            <dt>Testo SMS ({language})</dt>
            <dd>{text}</dd>
          </div>
        ))}
      </dl>

      {(series.status === 'draft' && can('approver')) || ((series.status === 'draft' || series.status === 'active') && can('operator', 'approver')) ? (
        <section aria-labelledby="titolo-azioni" className="mb-4">
          <h2 id="titolo-azioni" className="h4">Azioni</h2>
          <div className="d-flex flex-wrap gap-2">
            {series.status === 'draft' && can('approver') ? (
              <button className="btn btn-success" type="button" onClick={() => setAction('approve')}>Approva la serie</button>
            ) : null}
            {(series.status === 'draft' || series.status === 'active') && can('operator', 'approver') ? (
              <button className="btn btn-outline-danger" type="button" onClick={() => setAction('cancel')}>Annulla la serie</button>
            ) : null}
          </div>
        </section>
      ) : null}

      <SeriesOccurrences series={series} reloadKey={series.status} />

      {action ? (
        <ConfirmDialog
          open
          title={CONFIRM[action].title}
          confirmLabel={CONFIRM[action].label}
          cancelLabel="Torna indietro"
          danger={action === 'cancel'}
          busy={busy}
          confirmDisabled={action === 'approve' && statementMissing(electoralPeriod, statement)}
          onCancel={() => setAction(null)}
          onConfirm={() => void run(action)}
        >
          <p>{CONFIRM[action].text}</p>
          {action === 'approve' ? (
            <ApprovalFields period={electoralPeriod} statement={statement} onStatement={setStatement} recordedWith="con la serie" check={check.state}
              acknowledge={acknowledge} onAcknowledge={setAcknowledge} />
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  )
}
