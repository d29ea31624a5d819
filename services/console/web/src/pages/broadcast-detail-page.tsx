import { useState } from 'react'
import { Link, useLocation, useParams } from 'react-router-dom'
import { api, broadcastApi, downloadFile } from '../api/api-client'
import type { AuditEntry, BroadcastProgress, BroadcastView } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { ApprovalFields, statementMissing } from '../compose/approval-fields'
import { ElectoralNotice, useElectoralPeriod } from '../compose/electoral-banner'
import { PlanPanel } from '../compose/plan-panel'
import { useProgressStream } from '../compose/progress-stream'
import { BROADCAST_BADGE, BROADCAST_STATUS, formatDateTime, number, reasonLabel } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { ErrorPage } from './error-page'

type Action = 'approve' | 'reject' | 'send' | 'schedule' | 'pause' | 'resume' | 'cancel'

const AUDIT: Record<string, string> = {
  drafted: 'Bozza scritta',
  edited: 'Bozza modificata',
  approved: 'Approvata',
  rejected: 'Respinta',
  'send-requested': 'Invio richiesto',
  'pause-requested': 'Pausa richiesta',
  'resume-requested': 'Ripresa richiesta',
  'cancel-requested': 'Annullamento richiesto',
  'run-interrupted': 'Invio interrotto e ripreso dal sistema',
  'run-ambiguous': 'Invii con esito incerto (interruzione o fornitore senza risposta)',
  'run-resent': 'Invii ripetuti: il fornitore non li aveva ricevuti',
  'run-unresolved': 'Invii con esito mai chiarito: non ripetuti per non mandare doppioni',
  'run-halted': 'Invio sospeso: WhatsApp rifiuta il modello del messaggio',
  'run-finished': 'Invio terminato',
}

/** What a run event's detail adds to its line in the history. */
function runEventNote(e: AuditEntry): string {
  const count = typeof e.detail.count === 'number' ? e.detail.count : undefined
  if (e.action === 'run-resent' && e.detail.withoutProof === true) return `: ${number(count ?? 0)}, senza attendere la prova che non fossero arrivati (allerta: un messaggio in più è meglio di uno mancato)`
  if (e.action === 'run-interrupted') return typeof e.detail.attempt === 'number' ? ` (tentativo ${e.detail.attempt})` : ''
  if (e.action === 'run-halted') {
    const why = e.detail.providerCode === '132016' ? 'disattivato' : 'messo in pausa per bassa qualità'
    return ` «${String(e.detail.template)}», ${why} da Meta: nessun destinatario è stato perso; riprendere l'invio quando il modello torna approvato`
  }
  if (e.action === 'run-finished') {
    const unconfirmed = typeof e.detail.unconfirmed === 'number' ? e.detail.unconfirmed : 0
    return unconfirmed > 0 ? ` (${number(unconfirmed)} senza conferma del fornitore in quel momento)` : ' (tutti gli esiti confermati)'
  }
  return count !== undefined ? `: ${number(count)}` : ''
}

/**
 * What staff must know beyond the counts: whether the outcome is confirmed, and the run's
 * interruptions and sends of uncertain outcome, with what became of them.
 */
function OutcomePanel({ progress }: { progress: BroadcastProgress }) {
  const { ambiguity, interruptions } = progress
  const unconfirmed = progress.accepted + ambiguity.waiting
  return (
    <>
      {progress.outcome === 'unconfirmed' ? (
        <div className="alert alert-warning" role="status" data-testid="esito">
          Invio terminato, ma {number(unconfirmed)} messaggi non hanno ancora una conferma dal fornitore. Il resoconto si aggiorna quando arrivano le conferme.
        </div>
      ) : progress.outcome === 'confirmed' && progress.status === 'completed' ? (
        <div className="alert alert-success" role="status" data-testid="esito">
          Invio terminato: ogni destinatario ha un esito confermato dal fornitore, un motivo di mancato invio o di esclusione.
        </div>
      ) : null}
      {interruptions > 0 || ambiguity.found > 0 ? (
        <>
          <h3 className="h6">Interruzioni ed esiti incerti</h3>
          <ul data-testid="esiti-incerti">
            {interruptions > 0 ? <li>Interruzioni dell’invio, riprese dal sistema: {number(interruptions)}</li> : null}
            {ambiguity.found > 0 ? (
              <li>
                Invii con esito incerto: {number(ambiguity.found)}, di cui confermati dal fornitore {number(ambiguity.confirmed)}, ripetuti perché non ricevuti {number(ambiguity.resent)},
                mai chiariti e non ripetuti {number(ambiguity.unresolved)}, in attesa di conferma {number(ambiguity.waiting)}
              </li>
            ) : null}
          </ul>
        </>
      ) : null}
    </>
  )
}

const CONFIRM: Record<Action, { title: string; text: string; label: string; danger?: boolean }> = {
  approve: { title: 'Approvare la comunicazione?', text: 'Dopo l’approvazione potrà essere inviata ai cittadini.', label: 'Approva' },
  reject: { title: 'Respingere la bozza?', text: 'La bozza torna all’autore con il motivo indicato.', label: 'Respingi', danger: true },
  send: { title: 'Inviare ora?', text: 'I messaggi partono subito verso tutti i destinatari.', label: 'Invia ora' },
  schedule: { title: 'Programmare l’invio?', text: 'I messaggi partiranno alla data e ora indicate.', label: 'Programma' },
  pause: { title: 'Mettere in pausa l’invio?', text: 'I messaggi non ancora partiti restano in attesa finché non riprendi.', label: 'Metti in pausa' },
  resume: { title: 'Riprendere l’invio?', text: 'I messaggi in attesa ripartono.', label: 'Riprendi' },
  cancel: { title: 'Annullare l’invio?', text: 'I messaggi non ancora partiti non saranno inviati. L’azione non si può annullare.', label: 'Annulla l’invio', danger: true },
}

/**
 * The failed sends as a CSV file, for the roles allowed to see phone numbers (operators,
 * approvers, admins); the API refuses the others too.
 */
function FailuresDownload({ id, failed }: { id: string; failed: number }) {
  const { can } = useSession()
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  if (failed === 0) return <p>Nessun invio non riuscito.</p>
  if (!can('operator', 'approver', 'admin')) {
    return <p>L’elenco dei numeri non raggiunti è riservato a operatori, approvatori e amministratori.</p>
  }
  const download = async () => {
    setBusy(true)
    setError(null)
    setSaved(null)
    try {
      setSaved(await downloadFile(broadcastApi(`/v1/broadcasts/${id}/failures.csv`), `non-riusciti-${id}.csv`))
    } catch (e) {
      setError(e)
    } finally {
      setBusy(false)
    }
  }
  return (
    <div className="mb-3">
      <button type="button" className="btn btn-outline-primary" onClick={() => void download()} disabled={busy}>
        Scarica l’elenco dei non riusciti (CSV)
      </button>
      <div aria-live="polite">{saved ? <p className="mt-2 mb-0">File scaricato: {saved}</p> : null}</div>
      <ProblemAlert error={error} title="Download non riuscito" />
    </div>
  )
}

function ProgressPanel({ id, status }: { id: string; status: string }) {
  const live = ['scheduled', 'sending', 'paused'].includes(status)
  const { progress: streamed, state } = useProgressStream(id, live)
  const once = useApi<BroadcastProgress>(live ? null : broadcastApi(`/v1/broadcasts/${id}/progress`))
  const progress = streamed ?? once.data
  if (!progress) return live ? <Loading label="Collegamento all’avanzamento…" /> : null
  const total = progress.total ?? 0
  const done = progress.sent + progress.delivered + progress.read + progress.failed + progress.skipped + progress.accepted
  const percent = total > 0 ? Math.min(100, Math.round((done / total) * 100)) : progress.status === 'completed' ? 100 : 0
  const rows: Array<[string, number]> = [
    ['In coda', progress.queued],
    ['Accettati dal fornitore', progress.accepted],
    ['Inviati', progress.sent],
    ['Consegnati', progress.delivered],
    ['Letti', progress.read],
    ['Non riusciti', progress.failed],
    ['Saltati', progress.skipped],
  ]
  return (
    <section aria-labelledby="titolo-avanzamento" className="mb-4">
      <h2 id="titolo-avanzamento" className="h4">
        {progress.status === 'completed' || progress.status === 'cancelled' ? 'Resoconto dell’invio' : 'Avanzamento'}
      </h2>
      {state === 'reconnecting' ? (
        <div className="alert alert-warning" role="status">
          Connessione persa, riconnessione…
        </div>
      ) : null}
      <div className="progress mb-2" style={{ height: '1.5rem' }}>
        <div className="progress-bar" role="progressbar" aria-label="Avanzamento dell’invio" aria-valuenow={percent} aria-valuemin={0} aria-valuemax={100} style={{ width: `${percent}%` }} />
      </div>
      <p role="status" aria-live="polite" data-testid="percentuale">
        {percent} % completato – {number(done)} su {number(total)} destinatari
      </p>
      <OutcomePanel progress={progress} />
      <dl className="row">
        {rows.map(([label, n]) => (
          <div className="col-6 col-md-3 mb-2" key={label}>
            <dt className="small fw-normal">{label}</dt>
            <dd className="fw-bold mb-0">{number(n)}</dd>
          </div>
        ))}
      </dl>
      {Object.keys(progress.failedByReason).length > 0 ? (
        <>
          <h3 className="h6">Non riusciti per motivo</h3>
          <ul>
            {Object.entries(progress.failedByReason).map(([r, n]) => (
              <li key={r}>
                {reasonLabel(r)}: {number(n)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {progress.status === 'completed' || progress.status === 'cancelled' ? <FailuresDownload id={id} failed={progress.failed} /> : null}
      {Object.keys(progress.skippedByReason).length > 0 ? (
        <>
          <h3 className="h6">Saltati per motivo</h3>
          <ul>
            {Object.entries(progress.skippedByReason).map(([r, n]) => (
              <li key={r}>
                {reasonLabel(r)}: {number(n)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}

export default function BroadcastDetailPage() {
  const { id = '' } = useParams()
  const location = useLocation()
  const flash = (location.state as { flash?: string } | null)?.flash
  const { can } = useSession()
  const { data: broadcast, error, setData } = useApi<BroadcastView>(broadcastApi(`/v1/broadcasts/${id}`))
  const audit = useApi<{ entries: AuditEntry[] }>(broadcastApi(`/v1/broadcasts/${id}/audit`), broadcast?.updatedAt)
  const [action, setAction] = useState<Action | null>(null)
  const [actionError, setActionError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [reason, setReason] = useState('')
  const [acknowledge, setAcknowledge] = useState(false)
  const [at, setAt] = useState('')
  const [statement, setStatement] = useState('')
  const electoralPeriod = useElectoralPeriod()
  const [done, setDone] = useState<string | null>(flash ?? null)
  usePageTitle(broadcast ? `Comunicazione: ${broadcast.draft.title}` : 'Comunicazione')

  if (error) return <ErrorPage error={error} />
  if (!broadcast) return <Loading />

  const run = async (which: Action) => {
    setBusy(true)
    setActionError(null)
    try {
      const path = `/v1/broadcasts/${id}/${which === 'schedule' ? 'send' : which}`
      const body =
        which === 'approve' ? { acknowledgeFindings: acknowledge || undefined, statement: electoralPeriod ? statement : undefined } : which === 'reject' ? { reason } : which === 'schedule' ? { at: new Date(at).toISOString() } : which === 'send' ? {} : undefined
      const next = await api<BroadcastView>('POST', broadcastApi(path), body)
      setData(next)
      setDone(`${CONFIRM[which].label}: fatto.`)
      setAction(null)
    } catch (e) {
      setActionError(e)
      setAction(null)
    } finally {
      setBusy(false)
    }
  }

  const rejection = audit.data?.entries.filter((e) => e.action === 'rejected' || e.action === 'edited').at(-1)
  const check = broadcast.outboundCheck
  const status = broadcast.status
  const show = (a: Action) => {
    setActionError(null)
    setAction(a)
  }

  return (
    <>
      <p>
        <Link to="/comunicazioni">← Tutte le comunicazioni</Link>
      </p>
      <h1>{broadcast.draft.title}</h1>
      <p>
        <span className={`badge ${BROADCAST_BADGE[status] ?? 'bg-secondary'}`} data-testid="stato">
          {BROADCAST_STATUS[status] ?? status}
        </span>{' '}
        creata il {formatDateTime(broadcast.createdAt)}
        {broadcast.approvedAt ? `, approvata il ${formatDateTime(broadcast.approvedAt)}` : ''}
        {broadcast.sendAt ? `, invio programmato per il ${formatDateTime(broadcast.sendAt)}` : ''}
      </p>
      <ElectoralNotice period={electoralPeriod} />
      {broadcast.approvalStatement ? (
        <p data-testid="dichiarazione">
          Dichiarazione dell’approvatore per il periodo elettorale “{broadcast.approvalStatement.electoralPeriod}”: {broadcast.approvalStatement.text}
        </p>
      ) : null}
      <div aria-live="polite">{done ? <div className="alert alert-success">{done}</div> : null}</div>
      <ProblemAlert error={actionError} title="Azione non eseguita" />
      {rejection?.action === 'rejected' && status === 'draft' ? (
        <div className="alert alert-warning">
          Respinta da {rejection.holder} il {formatDateTime(rejection.at)}. Motivo: {String(rejection.detail.reason ?? '')}
        </div>
      ) : null}

      <section aria-labelledby="titolo-azioni" className="mb-4">
        <h2 id="titolo-azioni" className="h4">
          Azioni
        </h2>
        <div className="d-flex flex-wrap gap-2">
          {status === 'draft' && can('approver') ? (
            <>
              <button className="btn btn-success" type="button" onClick={() => show('approve')}>Approva</button>
              <button className="btn btn-outline-danger" type="button" onClick={() => show('reject')}>Respingi</button>
            </>
          ) : null}
          {status === 'draft' && can('operator') ? (
            <Link className="btn btn-outline-primary" to={`/comunicazioni/${id}/modifica`}>Modifica</Link>
          ) : null}
          {status === 'approved' && can('operator', 'approver') ? (
            <>
              <button className="btn btn-primary" type="button" onClick={() => show('send')}>Invia ora</button>
              <button className="btn btn-outline-primary" type="button" onClick={() => show('schedule')}>Programma l’invio</button>
            </>
          ) : null}
          {(status === 'sending' || status === 'scheduled') && can('operator', 'approver') ? (
            <button className="btn btn-warning" type="button" onClick={() => show('pause')}>Metti in pausa</button>
          ) : null}
          {status === 'paused' && can('operator', 'approver') ? (
            <button className="btn btn-primary" type="button" onClick={() => show('resume')}>Riprendi</button>
          ) : null}
          {['draft', 'approved', 'scheduled', 'sending', 'paused'].includes(status) && can('operator', 'approver') ? (
            <button className="btn btn-outline-danger" type="button" onClick={() => show('cancel')}>Annulla l’invio</button>
          ) : null}
          {status === 'completed' || status === 'cancelled' ? <p className="mb-0">Nessuna azione disponibile: l’invio è concluso.</p> : null}
        </div>
      </section>

      {status === 'draft' || status === 'approved' ? <PlanPanel id={id} reloadKey={broadcast.updatedAt} /> : null}
      <ProgressPanel id={id} status={status} />

      <section aria-labelledby="titolo-contenuto" className="mb-4">
        <h2 id="titolo-contenuto" className="h4">Contenuto</h2>
        <dl>
          <dt>Argomenti</dt>
          <dd>{broadcast.draft.topics.join(', ')}</dd>
          {broadcast.draft.whatsapp ? (
            <>
              <dt>Modello WhatsApp</dt>
              <dd>
                {broadcast.draft.whatsapp.templateName}:{' '}
                {Object.entries(broadcast.draft.whatsapp.variants).map(([l, v]) => `${l}: ${(v.bodyParameters ?? []).join(' · ')}`).join(' | ')}
              </dd>
            </>
          ) : null}
          {broadcast.draft.sms ? (
            <>
              <dt>Testo SMS</dt>
              {Object.entries(broadcast.draft.sms.texts).map(([l, t]) => (
                <dd key={l} lang={l}>{t}</dd>
              ))}
            </>
          ) : null}
          {broadcast.draft.media ? (
            <>
              <dt>Allegato</dt>
              <dd>{broadcast.draft.media.url}</dd>
            </>
          ) : null}
          <dt>Controllo dei contenuti</dt>
          <dd>
            {check.state === 'clean' ? 'Nessun problema rilevato' : check.state === 'flagged' ? `Segnalato: ${check.categories.join(', ')}` : 'Controllo non eseguito'}
          </dd>
        </dl>
      </section>

      <section aria-labelledby="titolo-storia" className="mb-4">
        <h2 id="titolo-storia" className="h4">Cronologia</h2>
        {audit.data ? (
          <ol>
            {audit.data.entries.map((e, i) => (
              <li key={i}>
                {formatDateTime(e.at)} – {AUDIT[e.action] ?? e.action}
                {e.role === 'system' ? runEventNote(e) : ` da ${e.holder}`}
                {e.detail.reason ? ` (motivo: ${String(e.detail.reason)})` : ''}
                {e.detail.statement ? ` (dichiarazione: ${String(e.detail.statement)})` : ''}
              </li>
            ))}
          </ol>
        ) : (
          <Loading />
        )}
      </section>

      {action ? (
        <ConfirmDialog
          open
          title={CONFIRM[action].title}
          confirmLabel={CONFIRM[action].label}
          danger={CONFIRM[action].danger}
          busy={busy}
          confirmDisabled={
            (action === 'reject' && reason.trim().length < 3) || (action === 'schedule' && !at) || (action === 'approve' && statementMissing(electoralPeriod, statement))
          }
          onCancel={() => setAction(null)}
          onConfirm={() => void run(action)}
        >
          <p>{CONFIRM[action].text}</p>
          {action === 'reject' ? (
            <div className="form-group">
              <label htmlFor="motivo" className="active">Motivo (obbligatorio)</label>
              <textarea id="motivo" className="form-control" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required />
            </div>
          ) : null}
          {action === 'approve' ? (
            <ApprovalFields period={electoralPeriod} statement={statement} onStatement={setStatement} recordedWith="con la comunicazione" check={check.state}
              acknowledge={acknowledge} onAcknowledge={setAcknowledge} />
          ) : null}
          {action === 'schedule' ? (
            <div className="form-group">
              <label htmlFor="data-invio" className="active">Data e ora di invio</label>
              <input id="data-invio" type="datetime-local" className="form-control" value={at} onChange={(e) => setAt(e.target.value)} required />
            </div>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  )
}
