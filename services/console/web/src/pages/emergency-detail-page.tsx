import { useEffect, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api, broadcastApi } from '../api/api-client'
import type { EmergencyView, TimelineEntry } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { SafetyPollFields } from '../emergency/safety-poll-fields'
import { NO_SAFETY_POLL, safetyPollBody, safetyPollChoiceOf, safetyPollErrorOf, safetyPollTimeline, type SafetyPollChoice } from '../emergency/safety-poll-form'
import { SafetyPollPanel } from '../emergency/safety-poll-panel'
import { bulletinOrigin, EMERGENCY_KIND, EMERGENCY_STATUS, formatDateTime, number, SEVERITY, TIMELINE } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { ErrorPage } from './error-page'

const POLL_MS = 2000

function describe(entry: TimelineEntry): string {
  const poll = safetyPollTimeline(entry)
  if (poll) return poll.detail
  const d = entry.detail as Record<string, unknown>
  const parts: string[] = []
  if (typeof d.name === 'string') parts.push(String(d.name))
  if (typeof d.role === 'string' && entry.kind !== 'triggered') parts.push(String(d.role))
  if (typeof d.reason === 'string') parts.push(`motivo: ${String(d.reason)}`)
  if (typeof d.onBehalfOf === 'string') parts.push(`per conto di ${String(d.onBehalfOf)}`)
  if (typeof d.recipients === 'number') parts.push(`${number(d.recipients)} destinatari`)
  if (typeof d.count === 'number') parts.push(`${number(d.count)} messaggi`)
  return parts.join(' · ')
}

/** A step's title: the safety poll's carry their numbers. */
const titleOf = (entry: TimelineEntry) => safetyPollTimeline(entry)?.title ?? TIMELINE[entry.kind] ?? entry.kind

type Dialog = { kind: 'ack' } | { kind: 'follow'; follow: 'update' | 'cancel' } | { kind: 'trigger' } | { kind: 'remind' }

export default function EmergencyDetailPage() {
  const { id = '' } = useParams()
  const { can } = useSession()
  const [tick, setTick] = useState(0)
  const alert = useApi<EmergencyView>(broadcastApi(`/v1/emergencies/${id}`), tick)
  const timeline = useApi<{ entries: TimelineEntry[] }>(broadcastApi(`/v1/emergencies/${id}/timeline`), tick)
  const [dialog, setDialog] = useState<Dialog | null>(null)
  const [official, setOfficial] = useState('')
  const [reason, setReason] = useState('')
  const [text, setText] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<string | null>(null)
  const [poll, setPoll] = useState<SafetyPollChoice>(NO_SAFETY_POLL)
  const [reminderRequested, setReminderRequested] = useState(false)
  usePageTitle('Allerta')

  // The timeline is live while the alert runs.
  useEffect(() => {
    if (alert.data?.status !== 'active') return
    const timer = window.setInterval(() => setTick((n) => n + 1), POLL_MS)
    return () => window.clearInterval(timer)
  }, [alert.data?.status])

  if (alert.error) return <ErrorPage error={alert.error} />
  if (!alert.data) return <Loading />
  const e = alert.data
  const first = Object.keys(e.message.headline)[0] ?? 'it'
  const officials = [...new Set((timeline.data?.entries ?? []).filter((t) => t.kind === 'official-notified').map((t) => String((t.detail as { name?: string }).name ?? t.actor)))]
  const onDuty = (timeline.data?.entries ?? []).filter((t) => t.kind === 'on-duty-alerted')
  const sender = can('civil-protection', 'admin')
  const pollError = safetyPollErrorOf(error)

  const openDialog = (next: Dialog) => {
    setError(null)
    // A draft that asks already keeps its choice; anything else starts without a poll.
    setPoll(next.kind === 'trigger' ? safetyPollChoiceOf(e.poll) : NO_SAFETY_POLL)
    setDialog(next)
  }

  const act = async () => {
    if (!dialog) return
    setBusy(true)
    setError(null)
    try {
      if (dialog.kind === 'ack') {
        await api('POST', broadcastApi(`/v1/emergencies/${id}/acknowledge`), official ? { onBehalfOf: official, reason } : undefined)
        setDone('Presa in carico registrata.')
      } else if (dialog.kind === 'trigger') {
        const asked = e.kind !== 'cancel' ? safetyPollBody(poll) : undefined
        await api('POST', broadcastApi(`/v1/emergencies/${id}/trigger`), { reason, ...(asked ? { poll: asked } : {}) })
        setDone('Allerta inviata.')
      } else if (dialog.kind === 'remind') {
        alert.setData(await api<EmergencyView>('POST', broadcastApi(`/v1/emergencies/${id}/poll/reminder`)))
        setReminderRequested(true)
        setDone('Promemoria in invio ai cittadini che non hanno ancora risposto.')
      } else {
        const asked = dialog.follow === 'update' ? safetyPollBody(poll) : undefined
        const headline = dialog.follow === 'cancel' ? `Cessato allarme: ${e.message.headline[first] ?? ''}`.slice(0, 160) : `Aggiornamento: ${e.message.headline[first] ?? ''}`.slice(0, 160)
        await api('POST', broadcastApi('/v1/emergencies'), {
          kind: dialog.follow,
          references: e.id,
          severity: dialog.follow === 'cancel' ? 'Minor' : e.message.severity,
          urgency: dialog.follow === 'cancel' ? 'Past' : e.message.urgency,
          headline: { [first]: headline },
          description: { [first]: text },
          ...(asked ? { poll: asked } : {}),
          trigger: { reason: reason || (dialog.follow === 'cancel' ? 'Cessato allarme dalla console' : 'Aggiornamento dalla console') },
        })
        setDone(dialog.follow === 'cancel' ? 'Cessato allarme inviato.' : 'Aggiornamento inviato.')
      }
      setDialog(null)
      setTick((n) => n + 1)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <p>
        <Link to="/emergenze">← Tutte le allerte</Link>
      </p>
      <h1>{e.message.headline[first]}</h1>
      <p>
        <span className={`badge ${e.status === 'active' ? 'bg-danger' : 'bg-secondary'}`}>{EMERGENCY_STATUS[e.status]}</span>{' '}
        {EMERGENCY_KIND[e.kind]} · gravità {SEVERITY[e.message.severity]} · {e.bulletin ? bulletinOrigin(e.bulletin) : e.source === 'cap' ? 'da file CAP' : 'dalla console'}
      </p>
      <p>{e.message.description[first]}</p>
      <div aria-live="polite">{done ? <div className="alert alert-success">{done}</div> : null}</div>
      {/* While a dialog is open its refusal is shown in it, where the person is. */}
      {dialog ? null : <ProblemAlert error={error} title="Azione non eseguita" />}
      <div className="d-flex flex-wrap gap-2 mb-4">
        {e.status === 'draft' && sender ? (
          <button className="btn btn-danger" type="button" onClick={() => openDialog({ kind: 'trigger' })}>Invia ora l’allerta</button>
        ) : null}
        {e.status === 'active' && !e.acknowledgedAt ? (
          <button className="btn btn-primary" type="button" onClick={() => openDialog({ kind: 'ack' })}>Registra presa in carico</button>
        ) : null}
        {e.status === 'active' && sender && e.kind !== 'cancel' ? (
          <>
            <button className="btn btn-outline-primary" type="button" onClick={() => openDialog({ kind: 'follow', follow: 'update' })}>Invia aggiornamento</button>
            <button className="btn btn-success" type="button" onClick={() => openDialog({ kind: 'follow', follow: 'cancel' })}>Cessato allarme</button>
          </>
        ) : null}
      </div>

      {e.poll ? (
        <SafetyPollPanel
          alert={e}
          poll={e.poll}
          timeline={timeline.data?.entries ?? []}
          sender={sender}
          desk={can('desk', 'admin')}
          reminderRequested={reminderRequested}
          onRemind={() => openDialog({ kind: 'remind' })}
        />
      ) : null}

      <div className="row">
        <section className="col-lg-4 mb-4" aria-labelledby="titolo-numeri">
          <h2 id="titolo-numeri" className="h4">Cittadini raggiunti</h2>
          <dl>
            <dt>WhatsApp</dt>
            <dd data-testid="whatsapp-inviati">
              {number(e.messages.whatsapp.sent)} inviati, {number(e.messages.whatsapp.delivered)} consegnati, {number(e.messages.whatsapp.failed)} non riusciti
            </dd>
            <dt>SMS (compreso l’invio di riserva)</dt>
            <dd>
              {number(e.messages.sms.sent)} inviati, {number(e.messages.sms.delivered)} consegnati, {number(e.messages.sms.failed)} non riusciti
            </dd>
            <dt>Presa in carico</dt>
            <dd data-testid="presa-in-carico">{e.acknowledgedAt ? `${e.acknowledgedBy}, ${formatDateTime(e.acknowledgedAt)}` : 'Non ancora'}</dd>
            <dt>Personale di turno avvisato</dt>
            <dd>{onDuty.length > 0 ? onDuty.map((t) => String((t.detail as { name?: string }).name ?? t.actor)).join(', ') : 'Nessuno finora'}</dd>
          </dl>
          {e.followUps.length > 0 ? (
            <>
              <h3 className="h6">Messaggi successivi</h3>
              <ul>
                {e.followUps.map((f) => (
                  <li key={f.id}>
                    <Link to={`/emergenze/${f.id}`}>{EMERGENCY_KIND[f.kind]}</Link>
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {e.references ? (
            <p>
              Segue <Link to={`/emergenze/${e.references}`}>l’allerta precedente</Link>.
            </p>
          ) : null}
        </section>
        <section className="col-lg-8 mb-4" aria-labelledby="titolo-cronologia">
          <h2 id="titolo-cronologia" className="h4">Cronologia in tempo reale</h2>
          {!timeline.data ? <Loading /> : null}
          <ol className="timeline-list" aria-live="polite" aria-relevant="additions" data-testid="cronologia">
            {timeline.data?.entries.map((t, i) => (
              <li key={`${t.at}-${i}`}>
                <strong>{titleOf(t)}</strong> – {formatDateTime(t.at)}
                <div className="small">
                  {t.actor !== 'system' ? `${t.actor}` : 'sistema'}
                  {describe(t) ? ` · ${describe(t)}` : ''}
                </div>
              </li>
            ))}
          </ol>
        </section>
      </div>

      {dialog ? (
        <ConfirmDialog
          open
          title={
            dialog.kind === 'ack'
              ? 'Registrare la presa in carico?'
              : dialog.kind === 'trigger'
                ? 'Inviare l’allerta?'
                : dialog.kind === 'remind'
                  ? 'Inviare ora il promemoria?'
                  : dialog.follow === 'cancel'
                    ? 'Inviare il cessato allarme?'
                    : 'Inviare un aggiornamento?'
          }
          confirmLabel={dialog.kind === 'ack' ? 'Registra' : dialog.kind === 'remind' ? 'Invia il promemoria' : 'Invia'}
          danger={dialog.kind === 'trigger'}
          busy={busy}
          confirmDisabled={
            (dialog.kind === 'ack' && official !== '' && reason.trim().length < 3) ||
            (dialog.kind === 'trigger' && reason.trim().length < 3) ||
            (dialog.kind === 'follow' && text.trim().length < 1)
          }
          onCancel={() => setDialog(null)}
          onConfirm={() => void act()}
        >
          {dialog.kind === 'ack' ? (
            <>
              <div className="select-wrapper mb-3">
                <label htmlFor="per-conto">Per conto di</label>
                <select id="per-conto" value={official} onChange={(ev) => setOfficial(ev.target.value)}>
                  <option value="">Me stesso</option>
                  {officials.map((o) => (
                    <option key={o} value={o}>{o}</option>
                  ))}
                </select>
              </div>
              {official ? (
                <div className="form-group">
                  <label htmlFor="motivo-ack" className="active">Motivo (obbligatorio)</label>
                  <textarea id="motivo-ack" className="form-control" rows={2} value={reason} onChange={(ev) => setReason(ev.target.value)} />
                </div>
              ) : null}
            </>
          ) : null}
          {dialog.kind === 'trigger' ? (
            <>
              <div className="form-group">
                <label htmlFor="motivo-invio" className="active">Perché si salta l’approvazione (obbligatorio)</label>
                <textarea id="motivo-invio" className="form-control" rows={2} value={reason} onChange={(ev) => setReason(ev.target.value)} />
              </div>
              <SafetyPollFields value={poll} onChange={setPoll} kind={e.kind} error={pollError} disabled={busy} askLocked={e.poll !== null} />
            </>
          ) : null}
          {dialog.kind === 'follow' ? (
            <>
              <div className="form-group">
                <label htmlFor="testo-seguito" className="active">Testo per i cittadini (obbligatorio)</label>
                <textarea id="testo-seguito" className="form-control" rows={4} maxLength={1000} value={text} onChange={(ev) => setText(ev.target.value)} />
              </div>
              <SafetyPollFields value={poll} onChange={setPoll} kind={dialog.follow} error={pollError} disabled={busy} />
            </>
          ) : null}
          {dialog.kind === 'remind' ? (
            <>
              <p>Il messaggio dell’allerta, con la domanda «Come stai?», viene inviato di nuovo ai cittadini che l’hanno ricevuto e non hanno ancora risposto.</p>
              <p className="small mb-0">Il promemoria si invia una sola volta per allerta: se ne era previsto uno automatico, non partirà più.</p>
            </>
          ) : null}
          <ProblemAlert error={error} title="Azione non eseguita" />
        </ConfirmDialog>
      ) : null}
    </>
  )
}
