import { lazy, Suspense, useEffect, useState } from 'react'
import { Link, useParams } from 'react-router-dom'
import { api, moderationApi } from '../api/api-client'
import type { CheckResult, PolicyRuleDetail, PublishOutcome, RulesetIssue, Score } from '../api/policy-types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { MODERATION } from '../desk/desk-widgets'
import { usePageTitle } from '../layout/page-title'
import type { EditorSchema } from '../policy/json-schema-editor'
import { PublishRefusal } from '../policy/publish-refusal'
import { TryPanel } from '../policy/try-panel'
import { useSession } from '../session/session-context'

const NO_ISSUES: RulesetIssue[] = []
/** The problems "Verifica" found in one file, to mark in its editor. */
const issuesOf = (result: CheckResult | null, file: string): RulesetIssue[] =>
  result && !result.valid ? result.issues.filter((i) => i.file === file) : NO_ISSUES

// CodeMirror and the schema tooling load with the editor, never with the console's first page.
const JsonSchemaEditor = lazy(() => import('../policy/json-schema-editor'))

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

/**
 * One rule: its JSON and cases in schema-aware editors (completion and inline errors from the
 * rule schema), "Verifica" (validation, its cases, the effect on the labelled corpus) without
 * publishing, then "Pubblica" behind a confirmation.
 */
export default function PolicyRulePage() {
  const { direction = 'inbound', name = '' } = useParams()
  usePageTitle(`Regola ${name}`)
  const { tenant } = useSession()
  const detail = useApi<{ rule: PolicyRuleDetail }>(tenant ? moderationApi(`/policy/${tenant.id}/rules/${encodeURIComponent(name)}?direction=${direction}`) : null)
  const ruleSchema = useApi<EditorSchema>(tenant ? moderationApi(`/policy/${tenant.id}/schema/rule`) : null)
  const casesSchema = useApi<EditorSchema>(tenant ? moderationApi(`/policy/${tenant.id}/schema/cases`) : null)
  const [rule, setRule] = useState('')
  const [cases, setCases] = useState('')
  const [result, setResult] = useState<CheckResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [confirming, setConfirming] = useState(false)
  const [publishing, setPublishing] = useState(false)
  const [published, setPublished] = useState<PublishOutcome | null>(null)
  const [refusal, setRefusal] = useState<unknown>(null)
  const loaded = detail.data?.rule
  useEffect(() => {
    if (!loaded) return
    setRule(loaded.text)
    setCases(loaded.casesText ?? '')
  }, [loaded])
  // A tenant's editor changes the tenant's copy: a shared rule is edited as a new override.
  const path = loaded && tenant ? loaded.tenantFile : ''
  const edited = (update: (text: string) => void) => (text: string) => {
    update(text)
    setResult(null)
    setPublished(null)
  }
  const publish = () => {
    if (!tenant) return
    setPublishing(true)
    setRefusal(null)
    api<PublishOutcome>('POST', moderationApi(`/policy/${tenant.id}/publish`), { path, rule, ...(cases.trim() ? { cases } : {}) })
      .then((outcome) => {
        setPublished(outcome)
        setConfirming(false)
      })
      .catch((err: unknown) => {
        setRefusal(err)
        setConfirming(false)
      })
      .finally(() => setPublishing(false))
  }
  const checkedClean = result?.valid === true && result.cases.failures.length === 0
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
              setPublished(null)
              setRefusal(null)
              api<CheckResult>('POST', moderationApi(`/policy/${tenant.id}/check`), { path, rule, cases })
                .then(setResult)
                .catch((err: unknown) => setError(err))
                .finally(() => setBusy(false))
            }}
          >
            <p id="aiuto-editor" className="small">
              Il completamento (Ctrl+Spazio) e gli errori segnati nel testo vengono dallo schema delle regole; Esc e poi Tab escono dall’editor.
            </p>
            <div className="form-group">
              <span id="etichetta-regola" className="d-block fw-semibold mb-1">Regola (JSON)</span>
              <Suspense fallback={<Loading />}>
                {ruleSchema.data || ruleSchema.error ? (
                  <JsonSchemaEditor labelledBy="etichetta-regola" describedBy="aiuto-editor" value={rule} onChange={edited(setRule)} issues={issuesOf(result, path)} {...(ruleSchema.data ? { schema: ruleSchema.data } : {})} />
                ) : <Loading />}
              </Suspense>
            </div>
            <div className="form-group">
              <span id="etichetta-casi" className="d-block fw-semibold mb-1">Casi (JSON)</span>
              <Suspense fallback={<Loading />}>
                {casesSchema.data || casesSchema.error ? (
                  <JsonSchemaEditor labelledBy="etichetta-casi" describedBy="aiuto-editor" value={cases} onChange={edited(setCases)} issues={issuesOf(result, path.replace(/\.json$/, '.cases.json'))} {...(casesSchema.data ? { schema: casesSchema.data } : {})} />
                ) : <Loading />}
              </Suspense>
            </div>
            <button type="submit" className="btn btn-primary" disabled={busy}>Verifica</button>
            <button type="button" className="btn btn-outline-primary ms-2" disabled={busy || publishing || !checkedClean} onClick={() => setConfirming(true)}>
              Pubblica
            </button>
            {busy ? <span className="ms-3" role="status">Verifica in corso…</span> : null}
          </form>
          <p className="small mt-2">
            La verifica non pubblica nulla: le regole in vigore non cambiano. «Pubblica» si attiva quando la verifica è andata a buon fine.
            {' '}<Link to="/regole/versioni">Versioni pubblicate</Link>
          </p>
          <ProblemAlert error={error} title="Verifica non riuscita" />
          {result ? <CheckReport result={result} /> : null}
          <div aria-live="polite">
            {published ? (
              <div className="alert alert-success" data-testid="esito-pubblicazione">
                Pubblicata la versione {published.version.seq} ({published.version.rulesetVersion}).{' '}
                {published.inForce ? 'Il servizio di moderazione la applica già.' : 'Il servizio di moderazione la applicherà tra pochi istanti.'}
              </div>
            ) : null}
          </div>
          {refusal ? <PublishRefusal error={refusal} /> : null}
          <ConfirmDialog
            open={confirming}
            title="Pubblicare la regola?"
            confirmLabel="Pubblica"
            busy={publishing}
            onConfirm={publish}
            onCancel={() => setConfirming(false)}
          >
            <p>
              La regola <code>{path}</code> entrerà in vigore per {tenant.name} su tutte le istanze della moderazione. La pubblicazione resta nelle versioni, con
              autore, data e differenze, e si può annullare tornando a una versione precedente.
            </p>
          </ConfirmDialog>
          <TryPanel tenant={tenant.id} />
        </>
      ) : null}
    </>
  )
}
