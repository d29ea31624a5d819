import type { ElectoralPeriod } from '../api/types'

/** The staff API's minimum for an approver's statement during an electoral period. */
export const STATEMENT_MIN = 30
const ELECTORAL_NOTE = 'È in corso un periodo elettorale (Legge 28/2000, art. 9).'

/** Whether the approval may be confirmed: during an electoral period only with a statement. */
export const statementMissing = (period: ElectoralPeriod | null, statement: string) => period !== null && statement.trim().length < STATEMENT_MIN

/**
 * What an approver adds to an approval (broadcasts, recurring series, an occurrence's edited
 * text): the statement an electoral period requires, and the acknowledgement of a content check
 * that flagged the text or could not run (`check`: `clean` asks for none).
 */
export function ApprovalFields(props: {
  period: ElectoralPeriod | null
  statement: string
  onStatement: (text: string) => void
  /** Where the statement stays recorded, e.g. «con la comunicazione». */
  recordedWith: string
  check: 'clean' | 'flagged' | 'unavailable' | 'unknown'
  acknowledge: boolean
  onAcknowledge: (on: boolean) => void
}) {
  return (
    <>
      {props.period ? (
        <div className="form-group">
          <label htmlFor="dichiarazione" className="active">
            Perché la comunicazione è impersonale e indispensabile (obbligatorio durante il periodo elettorale, almeno {STATEMENT_MIN} caratteri)
          </label>
          <textarea id="dichiarazione" className="form-control" rows={3} maxLength={2000} value={props.statement} onChange={(e) => props.onStatement(e.target.value)} required
            aria-describedby="dichiarazione-aiuto" />
          <p id="dichiarazione-aiuto" className="small">
            {ELECTORAL_NOTE} La dichiarazione resta registrata {props.recordedWith}.
          </p>
        </div>
      ) : null}
      {props.check !== 'clean' ? (
        <div className="form-check">
          <input id="conferma-controllo" type="checkbox" className="form-check-input" checked={props.acknowledge} onChange={(e) => props.onAcknowledge(e.target.checked)} />
          <label htmlFor="conferma-controllo" className="form-check-label">
            {props.check === 'flagged'
              ? 'Ho letto le segnalazioni del controllo e approvo comunque'
              : props.check === 'unavailable'
                ? 'Approvo senza il controllo automatico dei contenuti'
                : 'Ho letto il testo e lo approvo anche se il controllo automatico lo ha segnalato o non ha potuto verificarlo'}
          </label>
        </div>
      ) : null}
    </>
  )
}
