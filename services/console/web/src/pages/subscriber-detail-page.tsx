import type { ErasureResult, SenderActionResult, SubscriberDetail, SubscriberOptions } from '@banditore/contracts'
import { useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { api, ApiError, apiHeaders, subscriptionsApi } from '../api/api-client'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { CHANNEL, formatDateTime, LANGUAGE } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { AUDIT_ACTION, DOOR, ledgerSentence, ledgerTitle, shortVersion, SUBSCRIBER_STATUS } from '../subscribers/subscriber-labels'

type Action = 'block' | 'unblock' | 'removal' | 'erasure'

/** POSTs and hands the answer to the browser as a file download (the privacy export). */
async function downloadPost(path: string, fallbackName: string): Promise<string> {
  const response = await fetch(path, { method: 'POST', headers: { ...apiHeaders('POST'), 'content-type': 'application/json' }, body: '{}', credentials: 'same-origin' })
  if (!response.ok) {
    const problem = (await response.json().catch(() => ({}))) as { status?: number; detail?: string }
    throw new ApiError({ ...problem, status: response.status })
  }
  const name = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? fallbackName
  const url = URL.createObjectURL(await response.blob())
  const link = document.createElement('a')
  link.href = url
  link.download = name
  link.hidden = true
  document.body.append(link)
  link.click()
  link.remove()
  window.setTimeout(() => URL.revokeObjectURL(url), 60_000)
  return name
}

/** A subscriber's page: state, topics, the consent ledger as a history, and the staff actions. */
export default function SubscriberDetailPage() {
  usePageTitle('Scheda iscritto')
  const { id } = useParams()
  const navigate = useNavigate()
  const { tenant, can } = useSession()
  const base = subscriptionsApi(`/staff/${tenant?.id}`)
  const detail = useApi<SubscriberDetail>(`${base}/subscribers/${id}`)
  const options = useApi<SubscriberOptions>(`${base}/subscriber-options`)
  const [action, setAction] = useState<Action | null>(null)
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const privacy = can('privacy-officer', 'admin')

  if (detail.error) {
    const gone = detail.error instanceof ApiError && detail.error.status === 404
    return (
      <>
        <h1>Scheda iscritto</h1>
        {gone ? <p role="alert" className="alert alert-warning">Questo cittadino non è presente: potrebbe essere stato cancellato.</p> : <ProblemAlert error={detail.error} />}
        <Link to="/iscritti">Torna alla ricerca</Link>
      </>
    )
  }
  if (!detail.data) return <Loading />
  const { subscriber: s, consentLedger, pendingConfirmations, audit } = detail.data
  const topicName = (t: string) => options.data?.topics.find((x) => x.id === t)?.name ?? t

  const act = async () => {
    if (!action) return
    setBusy(true)
    setError(null)
    try {
      if (action === 'erasure') {
        await api<ErasureResult>('POST', `${base}/subscribers/${s.id}/erasure`, reason.trim().length >= 3 ? { reason: reason.trim() } : {})
        navigate('/iscritti', { replace: true })
        return
      }
      await api<SenderActionResult>('POST', `${base}/subscribers/${s.id}/${action}`, action === 'unblock' ? {} : { reason: reason.trim() })
      setNotice(action === 'block' ? 'Numero bloccato.' : action === 'unblock' ? 'Numero sbloccato.' : 'Iscritto cancellato d’ufficio.')
      detail.reload()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
      setAction(null)
      setReason('')
    }
  }
  const needsReason = action === 'block' || action === 'removal'

  return (
    <>
      <h1>
        Scheda iscritto <span className="text-nowrap">{s.phone}</span>
      </h1>
      <p>
        <Link to="/iscritti">Torna alla ricerca</Link>
      </p>
      {notice ? <div className="alert alert-success" role="status">{notice}</div> : null}
      <ProblemAlert error={error} title="Azione non riuscita" />
      <section aria-labelledby="titolo-dati" className="mb-4">
        <h2 id="titolo-dati" className="h4">Dati</h2>
        <dl className="row" data-testid="dati-iscritto">
          <dt className="col-sm-3">Stato</dt>
          <dd className="col-sm-9" data-testid="stato-iscritto">
            {SUBSCRIBER_STATUS[s.status]}
            {s.blocked ? ` · bloccato il ${formatDateTime(s.blockedAt)} da ${s.blockedBy ?? '—'} (${s.blockedReason ?? ''})` : ''}
          </dd>
          <dt className="col-sm-3">Nome</dt>
          <dd className="col-sm-9">{s.name ?? '—'}</dd>
          <dt className="col-sm-3">Canale</dt>
          <dd className="col-sm-9">{CHANNEL[s.channel]}{s.channelStoppedAt ? ` (il cittadino ha bloccato i messaggi il ${formatDateTime(s.channelStoppedAt)})` : ''}</dd>
          <dt className="col-sm-3">Argomenti</dt>
          <dd className="col-sm-9">{s.topics.length ? s.topics.map(topicName).join(', ') : '—'}</dd>
          <dt className="col-sm-3">Lingua</dt>
          <dd className="col-sm-9">{LANGUAGE[s.language] ?? s.language}</dd>
          <dt className="col-sm-3">Iscritto dal</dt>
          <dd className="col-sm-9">{s.status === 'active' ? formatDateTime(s.subscribedAt) : s.unsubscribedAt ? `cancellato il ${formatDateTime(s.unsubscribedAt)}` : '—'}</dd>
          <dt className="col-sm-3">Ultimo messaggio ricevuto</dt>
          <dd className="col-sm-9">{formatDateTime(s.lastInboundAt)}</dd>
        </dl>
      </section>

      <section aria-labelledby="titolo-azioni" className="mb-4">
        <h2 id="titolo-azioni" className="h4">Azioni</h2>
        <div className="d-flex flex-wrap gap-2">
          {s.blocked ? (
            <button type="button" className="btn btn-outline-primary" onClick={() => setAction('unblock')}>Sblocca</button>
          ) : (
            <button type="button" className="btn btn-outline-primary" onClick={() => setAction('block')}>Blocca</button>
          )}
          {s.status === 'active' ? (
            <button type="button" className="btn btn-outline-primary" onClick={() => setAction('removal')}>Cancella d’ufficio</button>
          ) : null}
          {privacy ? (
            <>
              <button
                type="button"
                className="btn btn-outline-primary"
                onClick={() => {
                  setError(null)
                  downloadPost(`${base}/subscribers/${s.id}/export`, 'esportazione.json')
                    .then(() => {
                      setNotice('Esportazione scaricata.')
                      detail.reload()
                    })
                    .catch((err: unknown) => setError(err))
                }}
              >
                Scarica i dati (esportazione)
              </button>
              <button type="button" className="btn btn-danger" onClick={() => setAction('erasure')}>Cancella i dati</button>
            </>
          ) : null}
        </div>
      </section>

      <section aria-labelledby="titolo-consenso" className="mb-4">
        <h2 id="titolo-consenso" className="h4">Storico del consenso</h2>
        {consentLedger.length === 0 ? <p>Nessun evento di consenso registrato.</p> : null}
        <ol className="list-unstyled" data-testid="storico-consenso">
          {consentLedger.map((entry) => (
            <li key={entry.id} className="border-start border-3 border-primary ps-3 mb-3">
              <p className="mb-1">
                <strong>{ledgerTitle(entry)}</strong> · <time dateTime={entry.occurredAt}>{formatDateTime(entry.occurredAt)}</time>
              </p>
              <p className="mb-1">{ledgerSentence(entry)}</p>
              <p className="small mb-0">
                Porta: {DOOR[entry.door] ?? entry.door}
                {entry.deliveryChannel ? ` · messaggi via ${CHANNEL[entry.deliveryChannel] ?? entry.deliveryChannel}` : ''} · informativa:{' '}
                <span title={entry.policyVersion ?? undefined}>{shortVersion(entry.policyVersion)}</span> · registrato da {entry.actor === 'citizen' ? 'il cittadino' : entry.actor}
              </p>
            </li>
          ))}
        </ol>
        {pendingConfirmations.some((p) => !p.confirmedAt && new Date(p.expiresAt) > new Date()) ? (
          <p className="alert alert-info">In attesa della risposta del cittadino alla richiesta di conferma (scade il {formatDateTime(pendingConfirmations.at(-1)?.expiresAt)}).</p>
        ) : null}
      </section>

      <section aria-labelledby="titolo-registro" className="mb-4">
        <h2 id="titolo-registro" className="h4">Registro delle operazioni del personale</h2>
        {audit.length === 0 ? (
          <p>Nessuna operazione.</p>
        ) : (
          <ul>
            {audit.map((a) => (
              <li key={a.id}>
                {formatDateTime(a.occurredAt)} – {AUDIT_ACTION[a.action] ?? a.action} – {a.actor}
                {a.detail && typeof a.detail === 'object' && 'reason' in a.detail && a.detail.reason ? ` (motivo: ${String(a.detail.reason)})` : ''}
              </li>
            ))}
          </ul>
        )}
      </section>

      {action ? (
        <ConfirmDialog
          open
          title={
            action === 'erasure' ? 'Cancellare i dati di questo cittadino?' : action === 'removal' ? 'Cancellare d’ufficio l’iscrizione?' : action === 'block' ? 'Bloccare il numero?' : 'Sbloccare il numero?'
          }
          confirmLabel={action === 'erasure' ? 'Cancella i dati' : action === 'removal' ? 'Cancella d’ufficio' : action === 'block' ? 'Blocca' : 'Sblocca'}
          danger={action === 'erasure' || action === 'removal'}
          busy={busy}
          confirmDisabled={needsReason && reason.trim().length < 3}
          onCancel={() => {
            setAction(null)
            setReason('')
          }}
          onConfirm={() => void act()}
        >
          {action === 'erasure' ? (
            <>
              <p>Saranno eliminati definitivamente il numero {s.phone}, il nome, gli argomenti, i messaggi allo sportello, le richieste di conferma in attesa e i messaggi non ancora inviati.</p>
              <p>
                <strong>Resta</strong> soltanto la prova anonimizzata del consenso e della sua revoca: le date, la porta, la versione dell’informativa e un codice non reversibile del numero, senza il numero né i testi. Il registro delle operazioni conserva chi ha cancellato e quando.
              </p>
            </>
          ) : action === 'removal' ? (
            <p>Il cittadino non riceverà più le comunicazioni. La cancellazione d’ufficio è registrata nello storico del consenso con il motivo; al cittadino non viene inviato alcun messaggio.</p>
          ) : action === 'block' ? (
            <p>I messaggi del numero non saranno più trattati, tranne la richiesta di cancellazione.</p>
          ) : (
            <p>I messaggi del numero saranno di nuovo trattati.</p>
          )}
          {action !== 'unblock' ? (
            <div className="form-group mb-0 mt-3">
              <label htmlFor="motivo-azione" className="active">{needsReason ? 'Motivo (obbligatorio)' : 'Motivo o riferimento della richiesta (facoltativo)'}</label>
              <input id="motivo-azione" className="form-control" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
            </div>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  )
}
