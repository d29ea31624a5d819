import { Link } from 'react-router-dom'
import { moderationApi } from '../api/api-client'
import type { PolicyRule } from '../api/policy-types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { MODERATION } from '../desk/desk-widgets'
import { usePageTitle } from '../layout/page-title'
import { TryPanel } from '../policy/try-panel'
import { useSession } from '../session/session-context'

const ACTION: Record<string, string> = { ...MODERATION, delete: 'Elimina', block: 'Blocca il mittente', report: 'Segnala', review: 'Da verificare', flag: 'Avvisa (comunicazioni)' }

/** The rules in force for the tenant: the shared defaults with its own overrides. */
export default function PolicyRulesPage() {
  usePageTitle('Regole di moderazione')
  const { tenant } = useSession()
  const list = useApi<{ rules: PolicyRule[]; rulesetVersion: string }>(tenant ? moderationApi(`/policy/${tenant.id}/rules`) : null)
  return (
    <>
      <h1>Regole di moderazione</h1>
      <p>Le regole in vigore per {tenant?.name}: quelle comuni a tutti i Comuni e quelle proprie del Comune, che le sostituiscono.</p>
      <p>
        <Link to="/regole/versioni">Versioni pubblicate</Link> · <Link to="/regole/da-verificare">Messaggi da verificare</Link>
      </p>
      {tenant ? <TryPanel tenant={tenant.id} /> : null}
      <section aria-labelledby="titolo-regole">
        <h2 id="titolo-regole" className="h4">Regole in vigore</h2>
        <ProblemAlert error={list.error} />
        {!list.data && !list.error ? <Loading /> : null}
        {list.data ? (
          <div className="table-responsive">
            <table className="table">
              <caption className="visually-hidden">Regole di moderazione in vigore</caption>
              <thead>
                <tr>
                  <th scope="col">Regola</th>
                  <th scope="col">Origine</th>
                  <th scope="col">Categoria</th>
                  <th scope="col">Azione</th>
                  <th scope="col">Casi</th>
                </tr>
              </thead>
              <tbody>
                {list.data.rules.map((r) => (
                  <tr key={`${r.direction}/${r.name}`}>
                    <td>
                      <Link to={`/regole/${r.direction}/${r.name}`}>{r.name}</Link>
                      <div className="small">{r.description}</div>
                    </td>
                    <td>{r.layer === 'default' ? 'Comune a tutti' : r.overridesDefault ? 'Del Comune (sostituisce la comune)' : 'Del Comune'}{r.direction === 'outbound' ? ', comunicazioni in uscita' : ''}</td>
                    <td>{r.category ?? '—'}</td>
                    <td>{ACTION[r.action] ?? r.action}</td>
                    <td>{r.cases.match} da intercettare, {r.cases.noMatch} da lasciare passare</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </>
  )
}
