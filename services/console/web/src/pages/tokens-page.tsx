import { useState } from 'react'
import { api, broadcastApi } from '../api/api-client'
import type { ApiToken } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { formatDateTime, ROLE } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const ROLES = ['operator', 'approver', 'civil-protection', 'desk', 'privacy-officer', 'policy-editor', 'admin']

export default function TokensPage() {
  usePageTitle('Token API')
  const { tenant } = useSession()
  const list = useApi<{ tokens: ApiToken[] }>(broadcastApi('/v1/tokens'))
  const [label, setLabel] = useState('')
  const [holder, setHolder] = useState('')
  const [role, setRole] = useState('operator')
  const [created, setCreated] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [revoking, setRevoking] = useState<ApiToken | null>(null)
  const [revokeError, setRevokeError] = useState<unknown>(null)
  return (
    <>
      <h1>Token API</h1>
      <p>I token servono ai programmi (il sito del Comune, script) per usare l’API con un ruolo. Il segreto si vede una sola volta.</p>
      <section aria-labelledby="titolo-nuovo" className="mb-5">
        <h2 id="titolo-nuovo" className="h4">Nuovo token</h2>
        <form
          className="row g-3"
          onSubmit={(e) => {
            e.preventDefault()
            setError(null)
            api<ApiToken & { token: string }>('POST', broadcastApi('/v1/tokens'), { tenant: tenant?.id, role, holder, label })
              .then((t) => {
                setCreated(t.token)
                setLabel('')
                list.reload()
              })
              .catch((err: unknown) => setError(err))
          }}
        >
          <div className="col-md-4 form-group">
            <label htmlFor="token-descrizione" className="active">Descrizione</label>
            <input id="token-descrizione" className="form-control" required value={label} onChange={(e) => setLabel(e.target.value)} />
          </div>
          <div className="col-md-4 form-group">
            <label htmlFor="token-titolare" className="active">Titolare (e-mail o ufficio)</label>
            <input id="token-titolare" className="form-control" required minLength={3} value={holder} onChange={(e) => setHolder(e.target.value)} />
          </div>
          <div className="col-md-4 select-wrapper">
            <label htmlFor="token-ruolo">Ruolo</label>
            <select id="token-ruolo" value={role} onChange={(e) => setRole(e.target.value)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>{ROLE[r]}</option>
              ))}
            </select>
          </div>
          <div className="col-12">
            <button type="submit" className="btn btn-primary">Crea token</button>
          </div>
        </form>
        <ProblemAlert error={error} title="Token non creato" />
        {created ? (
          <div className="alert alert-warning mt-3" role="status">
            <p className="mb-1">Copia ora il segreto: non sarà più mostrato.</p>
            <code className="d-block text-break" data-testid="segreto">{created}</code>
            <button type="button" className="btn btn-sm btn-outline-primary mt-2" onClick={() => void navigator.clipboard?.writeText(created)}>Copia</button>
          </div>
        ) : null}
      </section>
      <section aria-labelledby="titolo-token">
        <h2 id="titolo-token" className="h4">Token esistenti</h2>
        <ProblemAlert error={list.error} />
        <ProblemAlert error={revokeError} title="Token non revocato" />
        {!list.data && !list.error ? <Loading /> : null}
        {list.data ? (
          <div className="table-responsive">
            <table className="table">
              <caption className="visually-hidden">Token API del Comune</caption>
              <thead>
                <tr>
                  <th scope="col">Descrizione</th>
                  <th scope="col">Titolare</th>
                  <th scope="col">Ruolo</th>
                  <th scope="col">Creato</th>
                  <th scope="col">Stato</th>
                </tr>
              </thead>
              <tbody>
                {list.data.tokens.map((t) => (
                  <tr key={t.id}>
                    <td>{t.label}</td>
                    <td>{t.holder}</td>
                    <td>{ROLE[t.role] ?? t.role}</td>
                    <td>{formatDateTime(t.createdAt)}</td>
                    <td>
                      {t.revokedAt ? (
                        `Revocato il ${formatDateTime(t.revokedAt)}`
                      ) : (
                        <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setRevoking(t)}>
                          Revoca<span className="visually-hidden"> {t.label}</span>
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
      {revoking ? (
        <ConfirmDialog
          open
          title="Revocare il token?"
          confirmLabel="Revoca"
          danger
          onCancel={() => setRevoking(null)}
          onConfirm={() => {
            setRevokeError(null)
            api('DELETE', broadcastApi(`/v1/tokens/${revoking.id}`))
              .then(() => list.reload())
              .catch((err: unknown) => setRevokeError(err))
              .finally(() => setRevoking(null))
          }}
        >
          <p>I programmi che usano «{revoking.label}» non potranno più accedere.</p>
        </ConfirmDialog>
      ) : null}
    </>
  )
}
