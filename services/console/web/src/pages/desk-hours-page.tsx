import { useId, useState } from 'react'
import { Link } from 'react-router-dom'
import { api } from '../api/api-client'
import { deskApi, type OfficeHoursState, type OfficeOverride } from '../api/desk-types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { OfficeHoursBadge } from '../desk/desk-widgets'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

type HoursView = OfficeHoursState & { overrides: OfficeOverride[] }

/** Extraordinary closures and openings on top of the weekly hours; the citizens' auto-reply follows them. */
export default function DeskHoursPage() {
  usePageTitle('Aperture e chiusure straordinarie')
  const { tenant } = useSession()
  const tenantId = tenant?.id ?? ''
  const { data, error, reload } = useApi<HoursView>(tenant ? deskApi(tenantId, '/office-hours') : null)
  const [kind, setKind] = useState<'closed' | 'open'>('closed')
  const [startsAt, setStartsAt] = useState('')
  const [endsAt, setEndsAt] = useState('')
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [formError, setFormError] = useState<unknown>(null)
  const [removing, setRemoving] = useState<OfficeOverride | null>(null)
  const ids = { start: useId(), end: useId(), reason: useId(), kind: useId() }

  return (
    <>
      <p className="mb-1">
        <Link to="/sportello">← Torna allo sportello</Link>
      </p>
      <h1>Aperture e chiusure straordinarie</h1>
      <ProblemAlert error={error} />
      {!data && !error ? <Loading /> : null}
      {data ? (
        <>
          <OfficeHoursBadge hours={data} />
          <p className="mt-2">Orario settimanale: {data.weekly ?? 'non definito'} (festivi esclusi).</p>
          <h2 className="h4 mt-4">In programma</h2>
          {data.overrides.length === 0 ? <p>Nessuna apertura o chiusura straordinaria in programma.</p> : null}
          {data.overrides.length > 0 ? (
            <div className="table-responsive">
              <table className="table" data-testid="eccezioni">
                <caption className="visually-hidden">Aperture e chiusure straordinarie in corso o in programma</caption>
                <thead>
                  <tr>
                    <th scope="col">Tipo</th>
                    <th scope="col">Dal</th>
                    <th scope="col">Al</th>
                    <th scope="col">Motivo</th>
                    <th scope="col">Inserita da</th>
                    <th scope="col">
                      <span className="visually-hidden">Azioni</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.overrides.map((o) => (
                    <tr key={o.id}>
                      <td>{o.kind === 'closed' ? 'Chiusura' : 'Apertura'}</td>
                      <td>{formatDateTime(o.startsAt)}</td>
                      <td>{formatDateTime(o.endsAt)}</td>
                      <td>{o.reason}</td>
                      <td>{o.createdBy ?? '—'}</td>
                      <td>
                        <button type="button" className="btn btn-sm btn-outline-danger" onClick={() => setRemoving(o)}>
                          Elimina<span className="visually-hidden"> {o.kind === 'closed' ? 'la chiusura' : 'l’apertura'} «{o.reason}»</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}

      <h2 className="h4 mt-4">Aggiungi</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault()
          setBusy(true)
          setFormError(null)
          api('POST', deskApi(tenantId, '/office-hours/overrides'), { kind, startsAt: new Date(startsAt).toISOString(), endsAt: new Date(endsAt).toISOString(), reason: reason.trim() })
            .then(() => {
              setStartsAt('')
              setEndsAt('')
              setReason('')
              reload()
            })
            .catch(setFormError)
            .finally(() => setBusy(false))
        }}
      >
        <fieldset className="mb-3">
          <legend className="form-label fs-6">Tipo</legend>
          <div className="form-check">
            <input className="form-check-input" type="radio" id={`${ids.kind}-c`} name="tipo" checked={kind === 'closed'} onChange={() => setKind('closed')} />
            <label className="form-check-label" htmlFor={`${ids.kind}-c`}>
              Chiusura straordinaria (sciopero, ponte festivo…)
            </label>
          </div>
          <div className="form-check">
            <input className="form-check-input" type="radio" id={`${ids.kind}-o`} name="tipo" checked={kind === 'open'} onChange={() => setKind('open')} />
            <label className="form-check-label" htmlFor={`${ids.kind}-o`}>
              Apertura straordinaria (un pomeriggio in più…)
            </label>
          </div>
        </fieldset>
        <div className="row">
          <div className="col-md-6 mb-3">
            <label htmlFor={ids.start} className="form-label">
              Dal
            </label>
            <input id={ids.start} type="datetime-local" className="form-control" value={startsAt} onChange={(e) => setStartsAt(e.target.value)} required />
          </div>
          <div className="col-md-6 mb-3">
            <label htmlFor={ids.end} className="form-label">
              Al
            </label>
            <input id={ids.end} type="datetime-local" className="form-control" value={endsAt} onChange={(e) => setEndsAt(e.target.value)} required />
          </div>
        </div>
        <div className="mb-3">
          <label htmlFor={ids.reason} className="form-label">
            Motivo
          </label>
          <input id={ids.reason} className="form-control" maxLength={200} value={reason} onChange={(e) => setReason(e.target.value)} required />
        </div>
        <ProblemAlert error={formError} title="Non salvata" />
        <button type="submit" className="btn btn-primary" disabled={busy || !startsAt || !endsAt || !reason.trim()}>
          {busy ? 'Salvataggio…' : 'Salva'}
        </button>
      </form>

      <ConfirmDialog
        open={removing !== null}
        title="Eliminare questa eccezione?"
        confirmLabel="Elimina"
        danger
        busy={busy}
        onCancel={() => setRemoving(null)}
        onConfirm={() => {
          if (!removing) return
          setBusy(true)
          api('DELETE', deskApi(tenantId, `/office-hours/overrides/${removing.id}`))
            .then(() => reload())
            .catch(setFormError)
            .finally(() => {
              setBusy(false)
              setRemoving(null)
            })
        }}
      >
        {removing ? (
          <p>
            {removing.kind === 'closed' ? 'Chiusura' : 'Apertura'} «{removing.reason}», dal {formatDateTime(removing.startsAt)} al {formatDateTime(removing.endsAt)}.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  )
}
