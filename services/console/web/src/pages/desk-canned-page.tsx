import { useId, useState } from 'react'
import { Link } from 'react-router-dom'
import { api } from '../api/api-client'
import { deskApi, type CannedAnswer } from '../api/desk-types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

/** The tenant's canned answers: created, corrected and removed here, picked in a conversation. */
export default function DeskCannedPage() {
  usePageTitle('Risposte predefinite')
  const { tenant } = useSession()
  const tenantId = tenant?.id ?? ''
  const { data, error, reload } = useApi<{ answers: CannedAnswer[] }>(tenant ? deskApi(tenantId, '/canned-answers') : null)
  const [editing, setEditing] = useState<CannedAnswer | null>(null)
  const [title, setTitle] = useState('')
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [formError, setFormError] = useState<unknown>(null)
  const [removing, setRemoving] = useState<CannedAnswer | null>(null)
  const ids = { title: useId(), text: useId() }

  const reset = () => {
    setEditing(null)
    setTitle('')
    setText('')
  }

  return (
    <>
      <p className="mb-1">
        <Link to="/sportello">← Torna allo sportello</Link>
      </p>
      <h1>Risposte predefinite</h1>
      <ProblemAlert error={error} />
      {!data && !error ? <Loading /> : null}
      {data && data.answers.length === 0 ? <p>Nessuna risposta predefinita.</p> : null}
      {data && data.answers.length > 0 ? (
        <ul className="list-unstyled">
          {data.answers.map((a) => (
            <li key={a.id} className="border rounded p-3 mb-2">
              <h2 className="h5">{a.title}</h2>
              <p style={{ whiteSpace: 'pre-wrap' }}>{a.text}</p>
              <p className="small">
                Modificata da {a.updatedBy}, {formatDateTime(a.updatedAt)}
              </p>
              <div className="d-flex gap-2">
                <button
                  type="button"
                  className="btn btn-sm btn-outline-primary"
                  onClick={() => {
                    setEditing(a)
                    setTitle(a.title)
                    setText(a.text)
                  }}
                >
                  Modifica<span className="visually-hidden"> «{a.title}»</span>
                </button>
                <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setRemoving(a)}>
                  Elimina<span className="visually-hidden"> «{a.title}»</span>
                </button>
              </div>
            </li>
          ))}
        </ul>
      ) : null}

      <h2 className="h4 mt-4">{editing ? `Modifica «${editing.title}»` : 'Nuova risposta predefinita'}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          setFormError(null)
          const body = { title: title.trim(), text: text.trim() }
          ;(editing ? api('PUT', deskApi(tenantId, `/canned-answers/${editing.id}`), body) : api('POST', deskApi(tenantId, '/canned-answers'), body))
            .then(() => {
              reset()
              reload()
            })
            .catch(setFormError)
            .finally(() => setBusy(false))
        }}
      >
        <div className="mb-3">
          <label htmlFor={ids.title} className="form-label">
            Titolo
          </label>
          <input id={ids.title} className="form-control" maxLength={120} value={title} onChange={(e) => setTitle(e.target.value)} required />
        </div>
        <div className="mb-3">
          <label htmlFor={ids.text} className="form-label">
            Testo
          </label>
          <textarea id={ids.text} className="form-control" rows={4} maxLength={4096} value={text} onChange={(e) => setText(e.target.value)} required />
        </div>
        <ProblemAlert error={formError} title="Non salvata" />
        <div className="d-flex gap-2">
          <button type="submit" className="btn btn-primary" disabled={busy || !title.trim() || !text.trim()}>
            {busy ? 'Salvataggio…' : 'Salva'}
          </button>
          {editing ? (
            <button type="button" className="btn btn-outline-primary" onClick={reset}>
              Annulla la modifica
            </button>
          ) : null}
        </div>
      </form>

      <ConfirmDialog
        open={removing !== null}
        title="Eliminare questa risposta predefinita?"
        confirmLabel="Elimina"
        danger
        busy={busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (!removing) return
          setBusy(true)
          api('DELETE', deskApi(tenantId, `/canned-answers/${removing.id}`))
            .then(() => reload())
            .catch(setFormError)
            .finally(() => {
              setBusy(false)
              setRemoving(null)
            })
        }}
      >
        {removing ? <p>«{removing.title}»</p> : null}
      </ConfirmDialog>
    </>
  )
}
