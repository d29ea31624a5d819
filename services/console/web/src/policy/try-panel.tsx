import { useState } from 'react'
import { api, moderationApi } from '../api/api-client'
import type { ConditionExplanation, TryResult } from '../api/policy-types'
import { ProblemAlert } from '../components/problem-alert'
import { MODERATION, MODERATION_BADGE } from '../desk/desk-widgets'

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** What made one condition hold: the words, a classifier score, or the fact's value. */
function Evidence({ condition }: { condition: ConditionExplanation }) {
  return (
    <li>
      <code>{condition.fact}</code> <code>{condition.operator}</code> <code>{show(condition.value)}</code>
      {condition.words?.length ? <> — parole del messaggio: <strong data-testid="parole">{condition.words.join(', ')}</strong></> : null}
      {condition.matched?.length ? <> (voci: {condition.matched.join(', ')})</> : null}
      {condition.score !== undefined ? <> — punteggio {condition.score.toFixed(2)} (soglia {condition.threshold})</> : null}
      {condition.observed !== undefined ? <> — valore: {show(condition.observed)}</> : null}
    </li>
  )
}

/** "Prova un messaggio": the verdict of the rules in force, with the rule, condition and words. */
export function TryPanel({ tenant }: { tenant: string }) {
  const [text, setText] = useState('')
  const [result, setResult] = useState<TryResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <section aria-labelledby="titolo-prova" className="mb-5">
      <h2 id="titolo-prova" className="h4">Prova un messaggio</h2>
      <p>Il verdetto delle regole in vigore su un messaggio, come se fosse il primo del mittente.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setError(null)
          setBusy(true)
          api<TryResult>('POST', moderationApi(`/policy/${tenant}/try`), { text })
            .then(setResult)
            .catch((err: unknown) => setError(err))
            .finally(() => setBusy(false))
        }}
      >
        <div className="form-group">
          <label htmlFor="prova-testo" className="active">Testo del messaggio</label>
          <textarea id="prova-testo" className="form-control" rows={3} required value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <button type="submit" className="btn btn-primary" disabled={busy}>Prova</button>
      </form>
      <ProblemAlert error={error} title="Prova non riuscita" />
      {result ? (
        <div className="mt-3" role="status" data-testid="verdetto">
          <p>
            Verdetto: <span className={`badge ${MODERATION_BADGE[result.action] ?? 'bg-secondary'}`}>{MODERATION[result.action] ?? result.action}</span>
            {result.categories.length ? <> — categorie: {result.categories.join(', ')}</> : null}
          </p>
          {result.explanations.length === 0 ? <p>Nessuna regola è scattata.</p> : null}
          {result.explanations.map((x) => (
            <div key={x.rule}>
              <p className="mb-1">Regola scattata: <strong>{x.rule}</strong></p>
              <ul>{x.conditions.map((c, i) => <Evidence key={i} condition={c} />)}</ul>
            </div>
          ))}
        </div>
      ) : null}
    </section>
  )
}
