import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api, moderationApi } from '../api/api-client'
import type { PublishOutcome, RulesetVersion, RulesetVersions } from '../api/policy-types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { usePageTitle } from '../layout/page-title'
import { PublishRefusal } from '../policy/publish-refusal'
import { useSession } from '../session/session-context'

const KIND: Record<RulesetVersion['kind'], string> = { baseline: 'Regole di partenza', publish: 'Pubblicazione', rollback: 'Ritorno a una versione' }
const when = (iso: string) => new Date(iso).toLocaleString('it-IT', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Rome' })

/** The versions published from the bench, newest first, with author, time, diff and a rollback. */
export default function PolicyVersionsPage() {
  usePageTitle('Versioni delle regole')
  const { tenant } = useSession()
  const list = useApi<RulesetVersions>(tenant ? moderationApi(`/policy/${tenant.id}/versions`) : null)
  const [target, setTarget] = useState<RulesetVersion | null>(null)
  const [busy, setBusy] = useState(false)
  const [done, setDone] = useState<PublishOutcome | null>(null)
  const [refusal, setRefusal] = useState<unknown>(null)
  const rollback = () => {
    if (!tenant || !target) return
    setBusy(true)
    setRefusal(null)
    api<PublishOutcome>('POST', moderationApi(`/policy/${tenant.id}/versions/${target.seq}/rollback`))
      .then((outcome) => {
        setDone(outcome)
        list.reload()
      })
      .catch((err: unknown) => setRefusal(err))
      .finally(() => {
        setBusy(false)
        setTarget(null)
      })
  }
  const latest = list.data?.versions[0]?.seq
  return (
    <>
      <p><Link to="/regole">← Regole di moderazione</Link></p>
      <h1>Versioni delle regole</h1>
      <p>Ogni pubblicazione registra chi l’ha fatta, quando e che cosa è cambiato. Tornare a una versione la ripubblica come nuova versione.</p>
      <ProblemAlert error={list.error} />
      {!list.data && !list.error ? <Loading /> : null}
      <div aria-live="polite">
        {done ? (
          <div className="alert alert-success" data-testid="esito-ripristino">
            Ripristinata la versione {done.version.rollbackOf} come versione {done.version.seq}.{' '}
            {done.inForce ? 'Il servizio di moderazione la applica già.' : 'Il servizio di moderazione la applicherà tra pochi istanti.'}
          </div>
        ) : null}
      </div>
      {refusal ? <PublishRefusal error={refusal} /> : null}
      {list.data && !list.data.publishing ? (
        <div className="alert alert-warning">Questo servizio di moderazione non segue il bucket delle regole: non si può pubblicare dalla console.</div>
      ) : null}
      {list.data && list.data.publishing && list.data.versions.length === 0 ? <p>Non è ancora stata pubblicata nessuna versione dalla console.</p> : null}
      {list.data && list.data.versions.length > 0 ? (
        <ol className="list-unstyled" aria-label="Versioni pubblicate">
          {list.data.versions.map((v) => (
            <li key={v.seq} className="border rounded p-3 mb-3" data-testid={`versione-${v.seq}`}>
              <h2 className="h5">
                Versione {v.seq}: {KIND[v.kind]}
                {v.rollbackOf ? ` della versione ${v.rollbackOf}` : ''}
                {v.seq === latest ? ' (in vigore)' : ''}
              </h2>
              <p className="mb-1">
                {v.author}, {when(v.publishedAt)} — <code>{v.rulesetVersion}</code>
              </p>
              {v.changedFiles.length > 0 ? <p className="small mb-1">File: {v.changedFiles.join(', ')}</p> : null}
              {v.diff ? (
                <details>
                  <summary>Differenze</summary>
                  <pre className="small bg-light p-2" tabIndex={0} aria-label={`Differenze della versione ${v.seq}`}>{v.diff}</pre>
                </details>
              ) : null}
              {v.seq !== latest ? (
                <button type="button" className="btn btn-outline-primary btn-sm mt-2" onClick={() => setTarget(v)} disabled={busy}>
                  Torna alla versione {v.seq}
                </button>
              ) : null}
            </li>
          ))}
        </ol>
      ) : null}
      <ConfirmDialog
        open={target !== null}
        title={`Tornare alla versione ${target?.seq ?? ''}?`}
        confirmLabel="Torna a questa versione"
        busy={busy}
        onConfirm={rollback}
        onCancel={() => setTarget(null)}
      >
        <p>Le regole del Comune torneranno come nella versione {target?.seq}; il ritorno è pubblicato come nuova versione e resta nell’elenco.</p>
      </ConfirmDialog>
    </>
  )
}
