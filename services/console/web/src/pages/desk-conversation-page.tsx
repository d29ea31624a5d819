import { useEffect, useId, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api } from '../api/api-client'
import { deskApi, type CannedAnswer, type ConversationDetail, type DeskTemplate } from '../api/desk-types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { useDeskRevision } from '../desk/desk-stream'
import { HelpRequestBadge, MODERATION, MODERATION_BADGE, OfficeHoursBadge, WindowCountdown } from '../desk/desk-widgets'
import { CHANNEL, formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

/** Whether free text may go now: SMS always, WhatsApp until the window's end (checked as time passes). */
function useWindowOpen(endsAt: string | null | undefined) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!endsAt) return
    const remaining = Date.parse(endsAt) - Date.now()
    if (remaining <= 0) return
    const timer = window.setTimeout(() => setNow(Date.now()), Math.min(remaining + 50, 2 ** 31 - 1))
    return () => window.clearTimeout(timer)
  }, [endsAt, now])
  return endsAt ? Date.parse(endsAt) > now : true
}

function renderTemplate(body: string, parameters: readonly string[]) {
  return body.replace(/\{\{(\d+)\}\}/g, (whole, n: string) => parameters[Number(n) - 1] || `[${whole}]`)
}

function FreeTextAnswer({ tenant, conversation, onSent }: { tenant: string; conversation: ConversationDetail; onSent: () => void }) {
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const canned = useApi<{ answers: CannedAnswer[] }>(deskApi(tenant, '/canned-answers'))
  const textId = useId()
  const cannedId = useId()
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        if (!text.trim()) return
        setBusy(true)
        setError(null)
        api('POST', deskApi(tenant, `/conversations/${conversation.id}/answers`), { text })
          .then(() => {
            setText('')
            onSent()
          })
          .catch(setError)
          .finally(() => setBusy(false))
      }}
    >
      {canned.data && canned.data.answers.length > 0 ? (
        <div className="mb-3">
          <label htmlFor={cannedId} className="form-label">
            Risposta predefinita
          </label>
          <select
            id={cannedId}
            className="form-select"
            value=""
            onChange={(e) => {
              const chosen = canned.data?.answers.find((a) => a.id === e.target.value)
              if (chosen) setText((current) => (current.trim() ? `${current}\n${chosen.text}` : chosen.text))
            }}
          >
            <option value="">Inserisci una risposta predefinita…</option>
            {canned.data.answers.map((a) => (
              <option key={a.id} value={a.id}>
                {a.title}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      <div className="mb-3">
        <label htmlFor={textId} className="form-label">
          Risposta
        </label>
        <textarea id={textId} className="form-control" rows={4} maxLength={4096} value={text} onChange={(e) => setText(e.target.value)} required />
      </div>
      <ProblemAlert error={error} title="Risposta non inviata" />
      <button type="submit" className="btn btn-primary" disabled={busy || !text.trim()}>
        {busy ? 'Invio in corso…' : 'Invia risposta'}
      </button>
    </form>
  )
}

function TemplateAnswer({ tenant, conversation, onSent }: { tenant: string; conversation: ConversationDetail; onSent: () => void }) {
  const [name, setName] = useState('')
  const [parameters, setParameters] = useState<string[]>([])
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const selectId = useId()
  const template: DeskTemplate | undefined = conversation.templates.find((t) => t.name === name)
  const complete = template !== undefined && template.parameters.every((_, i) => (parameters[i] ?? '').trim().length > 0)
  if (conversation.templates.length === 0) {
    return <p className="alert alert-warning">Il Comune non ha modelli WhatsApp approvati: non è possibile rispondere fino a quando il cittadino non scrive di nuovo.</p>
  }
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        if (!template || !complete) return
        setBusy(true)
        setError(null)
        api('POST', deskApi(tenant, `/conversations/${conversation.id}/answers`), { template: { name: template.name, parameters: template.parameters.map((_, i) => parameters[i]!.trim()) } })
          .then(() => {
            setName('')
            setParameters([])
            onSent()
          })
          .catch(setError)
          .finally(() => setBusy(false))
      }}
    >
      <div className="mb-3">
        <label htmlFor={selectId} className="form-label">
          Modello approvato
        </label>
        <select
          id={selectId}
          className="form-select"
          value={name}
          onChange={(e) => {
            setName(e.target.value)
            setParameters([])
          }}
        >
          <option value="">Scegli un modello…</option>
          {conversation.templates.map((t) => (
            <option key={t.name} value={t.name}>
              {t.label}
            </option>
          ))}
        </select>
      </div>
      {template ? (
        <>
          {template.parameters.map((p, i) => (
            <div className="mb-3" key={`${template.name}-${i}`}>
              <label htmlFor={`${selectId}-p${i}`} className="form-label">
                {p.label}
              </label>
              <input
                id={`${selectId}-p${i}`}
                className="form-control"
                value={parameters[i] ?? ''}
                maxLength={1024}
                required
                placeholder={p.example ? `es. ${p.example}` : undefined}
                onChange={(e) => {
                  const next = [...parameters]
                  next[i] = e.target.value
                  setParameters(next)
                }}
              />
            </div>
          ))}
          <p className="mb-1 fw-bold">Anteprima</p>
          <p className="border rounded p-2 bg-light" style={{ whiteSpace: 'pre-wrap' }} data-testid="anteprima-modello">
            {renderTemplate(template.body, parameters)}
          </p>
        </>
      ) : null}
      <ProblemAlert error={error} title="Risposta non inviata" />
      <button type="submit" className="btn btn-primary" disabled={busy || !complete}>
        {busy ? 'Invio in corso…' : 'Invia il modello'}
      </button>
    </form>
  )
}

/** One conversation: the timeline with moderation verdicts, the window countdown, the answer box and the actions. */
export default function DeskConversationPage() {
  const { id = '' } = useParams()
  const { tenant } = useSession()
  const tenantId = tenant?.id ?? ''
  const { revision } = useDeskRevision(tenant?.id ?? null)
  const { data, error, reload } = useApi<ConversationDetail>(tenant ? deskApi(tenantId, `/conversations/${id}`) : null, revision)
  usePageTitle(data ? `Conversazione con ${data.phone}` : 'Conversazione')
  const windowOpen = useWindowOpen(data?.window.endsAt)
  const [actionError, setActionError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [blocking, setBlocking] = useState<null | 'block' | 'report'>(null)
  const [reason, setReason] = useState('')
  const reasonId = useId()

  const act = (path: string, body?: unknown) => {
    setBusy(true)
    setActionError(null)
    return api('POST', deskApi(tenantId, `/conversations/${id}${path}`), body ?? {})
      .then(() => reload())
      .catch((e: unknown) => {
        setActionError(e)
        throw e
      })
      .finally(() => setBusy(false))
  }

  if (error) return (
    <>
      <h1>Conversazione</h1>
      <ProblemAlert error={error} />
    </>
  )
  if (!data) return <Loading />
  return (
    <>
      <p className="mb-1">
        <Link to="/sportello">← Torna allo sportello</Link>
      </p>
      <h1>Conversazione con {data.name ? `${data.name} (${data.phone})` : data.phone}</h1>
      <div className="d-flex flex-wrap gap-3 align-items-center mb-3">
        <OfficeHoursBadge hours={data.officeHours} />
        <WindowCountdown endsAt={data.window.endsAt} />
        <span className="small">
          {CHANNEL[data.channel] ?? data.channel} · ultimo messaggio del cittadino {formatDateTime(data.window.lastInboundAt)}
        </span>
      </div>
      <p>
        In carico a: <strong data-testid="in-carico">{data.assignedTo ?? 'nessuno'}</strong>
        {data.blocked ? <span className="badge bg-danger ms-2">Mittente bloccato{data.blockedReason ? `: ${data.blockedReason}` : ''}</span> : null}
        {!data.subscribed ? <span className="badge bg-secondary ms-2">Non più iscritto</span> : null}
      </p>
      <div className="d-flex flex-wrap gap-2 mb-4">
        {data.assignedTo === null ? (
          <button type="button" className="btn btn-outline-primary" disabled={busy} onClick={() => void act('/assignment', { assignee: 'me' }).catch(() => undefined)}>
            Prendi in carico
          </button>
        ) : (
          <button type="button" className="btn btn-outline-primary" disabled={busy} onClick={() => void act('/assignment', { assignee: null }).catch(() => undefined)}>
            Rilascia
          </button>
        )}
        <button type="button" className="btn btn-outline-primary" disabled={busy || data.openCount === 0} onClick={() => void act('/answered').catch(() => undefined)}>
          Segna come risposta
        </button>
        {!data.blocked ? (
          <>
            <button type="button" className="btn btn-outline-danger" disabled={busy} onClick={() => setBlocking('block')}>
              Blocca il mittente
            </button>
            <button type="button" className="btn btn-outline-danger" disabled={busy} onClick={() => setBlocking('report')}>
              Segnala il mittente
            </button>
          </>
        ) : null}
      </div>
      <ProblemAlert error={actionError} title="Azione non riuscita" />

      <h2 className="h4">Messaggi</h2>
      {data.showsDeleted ? <p className="small">Sono mostrati anche i messaggi eliminati dalla moderazione.</p> : null}
      <ol className="list-unstyled" data-testid="cronologia">
        {data.timeline.map((entry) =>
          entry.kind === 'message' ? (
            <li key={entry.id} className={`border rounded p-3 mb-2 me-5${entry.urgent ? ' border-danger' : ''}`}>
              <p className="small mb-1">
                {entry.urgent ? (
                  <>
                    <HelpRequestBadge />{' '}
                  </>
                ) : null}
                <strong>Cittadino</strong> · {formatDateTime(entry.at)} · <span className={`badge ${MODERATION_BADGE[entry.moderation] ?? 'bg-secondary'}`}>Moderazione: {MODERATION[entry.moderation] ?? entry.moderation}</span>{' '}
                {entry.status === 'open' ? <span className="badge bg-warning text-white">In attesa</span> : <span className="badge bg-secondary text-white">Risposto</span>}
              </p>
              <p className="mb-0 text-break" style={{ whiteSpace: 'pre-wrap' }}>
                {entry.text ?? '(contenuto multimediale)'}
              </p>
              {entry.media.length > 0 ? <p className="small mb-0">Allegati: {entry.media.map((m) => m.caption ?? m.kind).join(', ')}</p> : null}
            </li>
          ) : (
            <li key={entry.id} className="border rounded p-3 mb-2 ms-5 bg-light">
              <p className="small mb-1">
                <strong>Risposta di {entry.sentBy}</strong> · {formatDateTime(entry.at)}
                {entry.template ? ` · modello ${entry.template}` : ''}
              </p>
              <p className="mb-0 text-break" style={{ whiteSpace: 'pre-wrap' }}>
                {entry.text}
              </p>
            </li>
          ),
        )}
      </ol>

      <h2 className="h4 mt-4">Rispondi</h2>
      {data.channelStopped ? (
        <p className="alert alert-warning">Il cittadino ha bloccato i messaggi del Comune su {CHANNEL[data.channel]}: una risposta non verrebbe consegnata.</p>
      ) : windowOpen ? (
        <FreeTextAnswer tenant={tenantId} conversation={data} onSent={reload} />
      ) : (
        <>
          <p className="alert alert-info">Sono passate più di 24 ore dall’ultimo messaggio del cittadino: WhatsApp accetta solo i modelli approvati del Comune.</p>
          <TemplateAnswer tenant={tenantId} conversation={data} onSent={reload} />
        </>
      )}

      <ConfirmDialog
        open={blocking !== null}
        title={blocking === 'report' ? 'Segnalare e bloccare il mittente?' : 'Bloccare il mittente?'}
        confirmLabel={blocking === 'report' ? 'Segnala e blocca' : 'Blocca'}
        danger
        busy={busy}
        confirmDisabled={!reason.trim()}
        onCancel={() => setBlocking(null)}
        onConfirm={() => {
          void act('/block', { reason: reason.trim(), report: blocking === 'report' })
            .then(() => {
              setBlocking(null)
              setReason('')
            })
            .catch(() => setBlocking(null))
        }}
      >
        <p>I suoi messaggi non saranno più elaborati, tranne la richiesta di cancellazione.</p>
        <label htmlFor={reasonId} className="form-label">
          Motivo
        </label>
        <textarea id={reasonId} className="form-control" rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
      </ConfirmDialog>
    </>
  )
}
