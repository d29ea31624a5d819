import { useId } from 'react'
import { formatDuration } from '../labels'
import {
  OPEN_FOR_OPTIONS,
  REMINDER_OPTIONS,
  SAFETY_POLL_BUTTONS,
  SAFETY_POLL_QUESTION,
  type SafetyPollChoice,
  type SafetyPollError,
} from './safety-poll-form'

/** The options, with the current value added when it is none of them (a draft made elsewhere). */
function withCurrent<T extends number | null>(options: ReadonlyArray<[T, string]>, current: T, label: (value: T) => string): ReadonlyArray<[T, string]> {
  return options.some(([value]) => value === current) ? options : [...options, [current, label(current)]]
}

/**
 * "Sondaggio di sicurezza": whether the alert asks citizens how they are (1 Sto bene, 2 Ho
 * bisogno di aiuto), when the reminder goes to those who have not answered, and how long answers
 * are taken. Not offered on an all-clear. An API refusal of the poll (`error`) is shown under the
 * fieldset, and the control it names is marked invalid.
 */
export function SafetyPollFields(props: {
  value: SafetyPollChoice
  onChange: (value: SafetyPollChoice) => void
  kind: 'alert' | 'update' | 'cancel'
  error?: SafetyPollError | undefined
  disabled?: boolean
  /** A draft that already asks: the poll stays, its reminder and duration can change. */
  askLocked?: boolean
}) {
  const id = useId()
  const { value, onChange, error } = props
  if (props.kind === 'cancel') return null
  const errorId = `${id}-errore`
  const previewId = `${id}-anteprima`
  const lockedId = `${id}-bloccato`
  const invalid = (field: SafetyPollError['field']) => (error?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {})
  const reminders = withCurrent(REMINDER_OPTIONS, value.reminderAfterSeconds, (s) => (s === null ? 'Nessun promemoria' : `Dopo ${formatDuration(s)}`))
  const durations = withCurrent(OPEN_FOR_OPTIONS, value.openForSeconds, (s) => formatDuration(s))
  return (
    <fieldset className="border rounded p-3 mb-3" disabled={props.disabled} aria-describedby={error ? errorId : undefined} data-testid="sondaggio-scelta">
      <legend className="h6 float-none w-auto px-2 mb-2">Sondaggio di sicurezza</legend>
      <div className="form-check mb-2">
        <input
          id={`${id}-chiedi`}
          type="checkbox"
          className="form-check-input"
          checked={value.ask}
          disabled={props.askLocked}
          onChange={(e) => onChange({ ...value, ask: e.target.checked })}
          aria-describedby={[props.askLocked ? lockedId : '', value.ask ? previewId : '', error?.field === 'ask' ? errorId : ''].filter(Boolean).join(' ') || undefined}
          {...(error?.field === 'ask' ? { 'aria-invalid': true } : {})}
        />
        <label htmlFor={`${id}-chiedi`} className="form-check-label">
          Chiedi ai cittadini come stanno (1 Sto bene, 2 Ho bisogno di aiuto)
        </label>
      </div>
      {props.askLocked ? (
        <p id={lockedId} className="small mb-2">
          La bozza chiede già come stanno: puoi cambiare il promemoria e la durata.
        </p>
      ) : null}
      {value.ask ? (
        <>
          <p id={previewId} className="small border rounded p-2 bg-light mb-3" data-testid="anteprima-sondaggio">
            Domanda ai cittadini: «{SAFETY_POLL_QUESTION}» Su WhatsApp con i pulsanti «{SAFETY_POLL_BUTTONS[0]}» e «{SAFETY_POLL_BUTTONS[1]}». Chi chiede aiuto compare per primo sullo sportello.
          </p>
          {/* Bootstrap Italia floats a select's label above it: room for it, one under the other (dialogs are narrow). */}
          <div className="select-wrapper mb-3 mt-4">
            <label htmlFor={`${id}-promemoria`}>Promemoria a chi non ha risposto</label>
            <select
              id={`${id}-promemoria`}
              value={value.reminderAfterSeconds === null ? '' : String(value.reminderAfterSeconds)}
              onChange={(e) => onChange({ ...value, reminderAfterSeconds: e.target.value === '' ? null : Number(e.target.value) })}
              {...invalid('reminder')}
            >
              {reminders.map(([seconds, label]) => (
                <option key={label} value={seconds === null ? '' : String(seconds)}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="select-wrapper mb-3 mt-4">
            <label htmlFor={`${id}-durata`}>Il sondaggio resta aperto per</label>
            <select id={`${id}-durata`} value={String(value.openForSeconds)} onChange={(e) => onChange({ ...value, openForSeconds: Number(e.target.value) })} {...invalid('openFor')}>
              {durations.map(([seconds, label]) => (
                <option key={seconds} value={String(seconds)}>
                  {label}
                </option>
              ))}
            </select>
          </div>
        </>
      ) : null}
      {error ? (
        <p id={errorId} className="small fw-semibold text-danger mt-1 mb-0">
          Errore: {error.message}
        </p>
      ) : null}
    </fieldset>
  )
}
