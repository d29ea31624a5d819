import { Link } from 'react-router-dom'
import type { EmergencyView, SafetyPollView, TimelineEntry } from '../api/types'
import { formatDateTime, formatDuration, formatUntil, number } from '../labels'
import { reminderLabel, safetyPollTimeline } from './safety-poll-form'

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1)

function stateOf(poll: SafetyPollView, status: EmergencyView['status']): string {
  const tally = poll.tally
  if (!tally) return status === 'draft' ? `Si apre quando l’allerta viene inviata, per ${formatDuration(poll.openForSeconds)}` : 'Conteggio non disponibile in questo momento'
  if (tally.state === 'open') return `Aperto fino ${formatUntil(tally.closesAt)}`
  if (tally.state === 'closed') return 'Chiuso'
  return 'In apertura'
}

/**
 * The alert's safety poll: how many citizens are fine, how many asked for help and how many of
 * those requests still wait on the desk, whether it still takes answers, and the reminder (sent
 * now on request, by those who can trigger alerts, while the poll is open).
 */
export function SafetyPollPanel(props: {
  alert: EmergencyView
  poll: SafetyPollView
  timeline: readonly TimelineEntry[]
  /** May send the reminder (civil protection, admins). */
  sender: boolean
  /** May open the desk. */
  desk: boolean
  /** The reminder was asked for from this page (its timeline step comes when it is sent). */
  reminderRequested: boolean
  onRemind: () => void
}) {
  const { alert, poll } = props
  const tally = poll.tally
  const reminded = props.timeline.filter((t) => t.kind === 'poll-reminder').at(-1)
  const open = alert.status === 'active' && tally?.state === 'open'
  return (
    <section className="border rounded p-3 mb-4" aria-labelledby="titolo-sondaggio" data-testid="sondaggio">
      <h2 id="titolo-sondaggio" className="h4">Sondaggio di sicurezza</h2>
      <dl className="row mb-2">
        <div className="col-sm-4">
          <dt>Stanno bene</dt>
          <dd className="stat-number" data-testid="sondaggio-bene">{tally ? number(tally.ok) : '—'}</dd>
        </div>
        <div className="col-sm-4">
          <dt>Chiedono aiuto</dt>
          <dd className="stat-number" data-testid="sondaggio-aiuto">{tally ? number(tally.help) : '—'}</dd>
        </div>
        <div className="col-sm-4">
          <dt>Richieste ancora aperte sullo sportello</dt>
          <dd>
            <span className="stat-number d-block" data-testid="sondaggio-in-attesa">{tally ? number(tally.helpWaiting) : '—'}</span>
            {props.desk ? <Link to="/sportello">Apri lo sportello</Link> : <span className="small">Le gestisce lo sportello, che le vede per prime.</span>}
          </dd>
        </div>
      </dl>
      <dl className="mb-3">
        <dt>Stato</dt>
        <dd data-testid="sondaggio-stato">{stateOf(poll, alert.status)}</dd>
        <dt>Ultima risposta</dt>
        <dd>{tally?.lastAnswerAt ? formatDateTime(tally.lastAnswerAt) : 'Nessuna risposta finora'}</dd>
        <dt>Promemoria</dt>
        <dd data-testid="sondaggio-promemoria">
          {reminded
            ? `${safetyPollTimeline(reminded)?.title ?? 'Inviato'} (${formatDateTime(reminded.at)})`
            : props.reminderRequested
              ? 'In invio a chi non ha ancora risposto'
              : capitalised(reminderLabel(poll.reminderAfterSeconds))}
        </dd>
      </dl>
      {props.sender && open && !reminded && !props.reminderRequested ? (
        <button type="button" className="btn btn-outline-primary" onClick={props.onRemind}>
          Invia ora il promemoria
        </button>
      ) : null}
    </section>
  )
}
