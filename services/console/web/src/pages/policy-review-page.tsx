import { useState } from 'react'
import { api, moderationApi } from '../api/api-client'
import type { ReviewDecisionAction, ReviewItem } from '../api/policy-types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const DECISIONS: Record<ReviewDecisionAction, string> = { allow: 'Consenti', delete: 'Elimina', block: 'Blocca il mittente' }
const when = (iso: string) => new Date(iso).toLocaleString('it-IT', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Europe/Rome' })

/** One message to review: its text, why the rules sent it here, and the decision with its reason. */
function ReviewCard({ item, tenant, onDecided }: { item: ReviewItem; tenant: string; onDecided: (item: ReviewItem) => void }) {
  const [reason, setReason] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const decide = (action: ReviewDecisionAction) => {
    setBusy(true)
    setError(null)
    api<{ item: ReviewItem }>('POST', moderationApi(`/policy/${tenant}/review/${item.id}/decision`), { action, reason })
      .then((r) => onDecided(r.item))
      .catch((err: unknown) => setError(err))
      .finally(() => setBusy(false))
  }
  const reasonId = `motivo-${item.id}`
  return (
    <li className="border rounded p-3 mb-3">
      <h3 className="h6">Messaggio del {when(item.receivedAt)} ({item.channel}, {item.from})</h3>
      <blockquote className="mb-2">«{item.text}»</blockquote>
      <p className="small">Regole: {item.rules.join(', ') || '—'}; categorie: {item.categories.join(', ') || '—'}</p>
      <div className="form-group mb-2">
        <label htmlFor={reasonId} className="active">Motivo della decisione</label>
        <input id={reasonId} className="form-control" value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </div>
      <div role="group" aria-label="Decisione">
        {(Object.keys(DECISIONS) as ReviewDecisionAction[]).map((action) => (
          <button key={action} type="button" className={`btn btn-sm me-2 ${action === 'allow' ? 'btn-primary' : 'btn-outline-danger'}`} disabled={busy || reason.trim() === ''} onClick={() => decide(action)}>
            {DECISIONS[action]}
          </button>
        ))}
      </div>
      <ProblemAlert error={error} title="Decisione non registrata" />
    </li>
  )
}

/** The messages the rules sent to review, oldest first, and the decisions already taken. */
export default function PolicyReviewPage() {
  usePageTitle('Messaggi da verificare')
  const { tenant } = useSession()
  const pending = useApi<{ items: ReviewItem[] }>(tenant ? moderationApi(`/policy/${tenant.id}/review`) : null)
  const decided = useApi<{ items: ReviewItem[] }>(tenant ? moderationApi(`/policy/${tenant.id}/review?state=decided`) : null)
  const [last, setLast] = useState<ReviewItem | null>(null)
  return (
    <>
      <h1>Messaggi da verificare</h1>
      <p>I messaggi che le regole hanno mandato in verifica, dal più vecchio. Ogni decisione registra chi l’ha presa, quando e perché.</p>
      <div aria-live="polite">{last?.decision ? <p className="alert alert-success">Decisione registrata: {DECISIONS[last.decision.action]}.</p> : null}</div>
      <section aria-labelledby="titolo-da-verificare">
        <h2 id="titolo-da-verificare" className="h4">Da verificare</h2>
        <ProblemAlert error={pending.error} />
        {!pending.data && !pending.error ? <Loading /> : null}
        {pending.data && pending.data.items.length === 0 ? <p>Nessun messaggio da verificare.</p> : null}
        {pending.data && tenant ? (
          <ul className="list-unstyled">
            {pending.data.items.map((item) => (
              <ReviewCard
                key={item.id}
                item={item}
                tenant={tenant.id}
                onDecided={(d) => {
                  setLast(d)
                  pending.reload()
                  decided.reload()
                }}
              />
            ))}
          </ul>
        ) : null}
      </section>
      <section aria-labelledby="titolo-decisi">
        <h2 id="titolo-decisi" className="h4">Decisioni prese</h2>
        <ProblemAlert error={decided.error} />
        {decided.data && decided.data.items.length === 0 ? <p>Nessuna decisione ancora.</p> : null}
        {decided.data && decided.data.items.length > 0 ? (
          <div className="table-responsive">
            <table className="table table-sm">
              <caption className="visually-hidden">Decisioni sui messaggi verificati</caption>
              <thead>
                <tr><th scope="col">Messaggio</th><th scope="col">Decisione</th><th scope="col">Chi e quando</th><th scope="col">Motivo</th></tr>
              </thead>
              <tbody>
                {decided.data.items.map((item) => (
                  <tr key={item.id}>
                    <td>«{item.text}»</td>
                    <td>{item.decision ? DECISIONS[item.decision.action] : '—'}</td>
                    <td>{item.decision ? `${item.decision.by}, ${when(item.decision.at)}` : '—'}</td>
                    <td>{item.decision?.reason}</td>
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
