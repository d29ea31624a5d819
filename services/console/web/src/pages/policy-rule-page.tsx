import { useEffect, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api, moderationApi } from '../api/api-client'
import type { CheckResult, PolicyRuleDetail, Score } from '../api/policy-types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { MODERATION } from '../desk/desk-widgets'
import { usePageTitle } from '../layout/page-title'
import { TryPanel } from '../policy/try-panel'
import { useSession } from '../session/session-context'

const percent = (value: number | null) => (value === null ? 'n/d' : `${(value * 100).toFixed(1)}%`)
const action = (a: string) => MODERATION[a] ?? a

function ScoreRow({ label, before, after }: { label: string; before: Score; after: Score }) {
  return (
    <tr>
      <th scope="row">{label}</th>
      <td>{percent(before.precision)} → {percent(after.precision)}</td>
      <td>{percent(before.recall)} → {percent(after.recall)}</td>
    </tr>
  )
}

/** The outcome of "Verifica": the refused file's problems, or the failing cases and the corpus effect. */
function CheckReport({ result }: { result: CheckResult }) {
  if (!result.valid) {
    return (
      <div className="alert alert-danger" role="alert" data-testid="esito-verifica">
        <strong className="d-block">La regola non è valida: le regole in vigore restano quelle di prima.</strong>
        <ul className="mb-0">
          {result.issues.map((i, n) => (
            <li key={n}>
              <code>{i.file}</code> {i.path ? <code>{i.path}</code> : null}: {i.reason}
            </li>
          ))}
        </ul>
      </div>
    )
  }
  const { failures, passed } = result.cases
  return (
    <div data-testid="esito-verifica">
      {failures.length === 0 ? (
        <div className="alert alert-success" role="status">La regola è valida e tutti i {passed} casi passano.</div>
      ) : (
        <div className="alert alert-danger" role="alert">
          <strong className="d-block">{failures.length} casi non passano ({passed} passano).</strong>
          <ul className="mb-0">
            {failures.map((f) => (
              <li key={`${f.expectation}-${f.index}`}>
                «{f.text}»: {f.expectation === 'match' ? 'doveva essere intercettato e non lo è' : 'doveva passare ed è stato intercettato'}
                {f.fired.length ? ` (regole scattate: ${f.fired.join(', ')})` : ''} — <code>{f.file}</code> /{f.expectation}/{f.index}
              </li>
            ))}
          </ul>
        </div>
      )}
      {result.corpus ? (
        <section aria-labelledby="titolo-corpus" className="mt-3">
          <h3 id="titolo-corpus" className="h5">Effetto sul corpus di prova ({result.corpus.entries} messaggi)</h3>
          <table className="table table-sm">
            <caption className="visually-hidden">Precisione e richiamo prima e dopo la modifica</caption>
            <thead>
              <tr><th scope="col">Misura</th><th scope="col">Precisione (prima → dopo)</th><th scope="col">Richiamo (prima → dopo)</th></tr>
            </thead>
            <tbody>
              <ScoreRow label="Violazione sì/no" before={result.corpus.before.violation} after={result.corpus.after.violation} />
              <ScoreRow label="Categorie" before={result.corpus.before.overall} after={result.corpus.after.overall} />
            </tbody>
          </table>
          {result.corpus.changes.length === 0 ? (
            <p>Nessun messaggio del corpus cambia verdetto.</p>
          ) : (
            <>
              <p>{result.corpus.changes.length} messaggi cambiano verdetto:</p>
              <ul>
                {result.corpus.changes.slice(0, 50).map((c, n) => (
                  <li key={n}>
                    «{c.text}» ({c.tenant}): {action(c.before.action)} → <strong>{action(c.after.action)}</strong>; atteso {action(c.expected.action)}
                  </li>
                ))}
              </ul>
            </>
          )}
        </section>
      ) : null}
    </div>
  )
}

/** One rule: its JSON and cases in editors, "Verifica" (validation, cases, corpus) without publishing. */
export default function PolicyRulePage() {
  const { direction = 'inbound', name = '' } = useParams()
  usePageTitle(`Regola ${name}`)
  const { tenant } = useSession()
  const detail = useApi<{ rule: PolicyRuleDetail }>(tenant ? moderationApi(`/policy/${tenant.id}/rules/${encodeURIComponent(name)}?direction=${direction}`) : null)
  const [rule, setRule] = useState('')
  const [cases, setCases] = useState('')
  const [result, setResult] = useState<CheckResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const loaded = detail.data?.rule
  useEffect(() => {
    if (!loaded) return
    setRule(loaded.text)
    setCases(loaded.casesText ?? '')
  }, [loaded])
  // A tenant's editor changes the tenant's copy: a shared rule is edited as a new override.
  const path = loaded && tenant ? loaded.tenantFile : ''
  return (
    <>
      <p><Link to="/regole">← Regole di moderazione</Link></p>
      <h1>Regola {name}</h1>
      <ProblemAlert error={detail.error} />
      {!loaded && !detail.error ? <Loading /> : null}
      {loaded && tenant ? (
        <>
          <p>{loaded.description}</p>
          <p className="small">
            {loaded.layer === 'default' ? `Regola comune a tutti i Comuni (${loaded.file}); le modifiche diventano una regola propria del Comune: ${path}.` : `Regola del Comune: ${loaded.file}.`}
          </p>
          <form
            onSubmit={(e) => {
              e.preventDefault()
              setError(null)
              setBusy(true)
              api<CheckResult>('POST', moderationApi(`/policy/${tenant.id}/check`), { path, rule, cases })
                .then(setResult)
                .catch((err: unknown) => setError(err))
                .finally(() => setBusy(false))
            }}
          >
            <div className="form-group">
              <label htmlFor="regola-json" className="active">Regola (JSON)</label>
              <textarea id="regola-json" className="form-control font-monospace" rows={18} spellCheck={false} value={rule} onChange={(e) => setRule(e.target.value)} />
            </div>
            <div className="form-group">
              <label htmlFor="regola-casi" className="active">Casi (JSON)</label>
              <textarea id="regola-casi" className="form-control font-monospace" rows={14} spellCheck={false} value={cases} onChange={(e) => setCases(e.target.value)} />
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>Verifica</button>
            {busy ? <span className="ms-3" role="status">Verifica in corso…</span> : null}
          </form>
          <p className="small mt-2">La verifica non pubblica nulla: le regole in vigore non cambiano.</p>
          <ProblemAlert error={error} title="Verifica non riuscita" />
          {result ? <CheckReport result={result} /> : null}
          <TryPanel tenant={tenant.id} />
        </>
      ) : null}
    </>
  )
}
