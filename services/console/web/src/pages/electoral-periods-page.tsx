import { useEffect, useState } from 'react'
import { api, broadcastApi } from '../api/api-client'
import type { ElectoralPeriod, ElectoralPeriodList, QuietHours } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { ELECTORAL_KIND, ElectoralNotice } from '../compose/electoral-banner'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const KINDS = ['municipal', 'regional', 'national', 'european', 'referendum'] as const

/** The tenant's quiet hours (admins change them). */
function QuietHoursForm() {
  const { can } = useSession()
  const current = useApi<QuietHours>(broadcastApi('/v1/quiet-hours'))
  const [form, setForm] = useState<{ enabled: boolean; start: string; end: string } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    if (current.data && !form) setForm({ enabled: current.data.enabled, start: current.data.start, end: current.data.end })
  }, [current.data, form])
  if (current.error) return <ProblemAlert error={current.error} />
  if (!form || !current.data) return <Loading />
  const admin = can('admin')
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        setError(null)
        setSaved(false)
        api<QuietHours>('PUT', broadcastApi('/v1/quiet-hours'), form)
          .then(() => setSaved(true))
          .catch((err: unknown) => setError(err))
      }}
    >
      <p>
        Nelle ore di silenzio le comunicazioni ordinarie si fermano e riprendono da sole alla fine (fuso orario {current.data.timeZone}). Le emergenze non si
        fermano mai.
      </p>
      <div className="form-check mb-3">
        <input id="silenzio-attivo" type="checkbox" className="form-check-input" checked={form.enabled} disabled={!admin}
          onChange={(e) => setForm({ ...form, enabled: e.target.checked })} />
        <label htmlFor="silenzio-attivo" className="form-check-label">Ore di silenzio attive</label>
      </div>
      <div className="row g-3">
        <div className="col-md-3 form-group">
          <label htmlFor="silenzio-inizio" className="active">Dalle</label>
          <input id="silenzio-inizio" type="time" className="form-control" required value={form.start} disabled={!admin}
            onChange={(e) => setForm({ ...form, start: e.target.value })} />
        </div>
        <div className="col-md-3 form-group">
          <label htmlFor="silenzio-fine" className="active">Alle</label>
          <input id="silenzio-fine" type="time" className="form-control" required value={form.end} disabled={!admin}
            onChange={(e) => setForm({ ...form, end: e.target.value })} />
        </div>
      </div>
      {admin ? (
        <button type="submit" className="btn btn-primary">Salva le ore di silenzio</button>
      ) : (
        <p className="small">Solo gli amministratori possono cambiarle.</p>
      )}
      <div aria-live="polite">{saved ? <div className="alert alert-success mt-3">Ore di silenzio salvate.</div> : null}</div>
      <ProblemAlert error={error} title="Ore di silenzio non salvate" />
    </form>
  )
}

/**
 * The tenant's calendar: electoral periods (Legge 28/2000, art. 9), set by admins and approvers,
 * and quiet hours, set by admins.
 */
export default function ElectoralPeriodsPage() {
  usePageTitle('Periodi elettorali e ore di silenzio')
  const list = useApi<ElectoralPeriodList>(broadcastApi('/v1/electoral-periods'))
  const [kind, setKind] = useState<string>('municipal')
  const [name, setName] = useState('')
  const [startsAt, setStartsAt] = useState('')
  const [endsAt, setEndsAt] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState<string | null>(null)
  const [removing, setRemoving] = useState<ElectoralPeriod | null>(null)
  const [removeError, setRemoveError] = useState<unknown>(null)

  return (
    <>
      <h1>Periodi elettorali e ore di silenzio</h1>
      <ElectoralNotice period={list.data?.inForce ?? null} />
      <section aria-labelledby="titolo-periodi" className="mb-5">
        <h2 id="titolo-periodi" className="h4">Periodi elettorali</h2>
        <p>
          Dalla convocazione dei comizi alla chiusura dei seggi il Comune può diffondere solo comunicazioni impersonali e indispensabili alle proprie funzioni
          (Legge 28/2000, art. 9). Date e ore sono quelle italiane.
        </p>
        <ProblemAlert error={list.error} />
        {list.data ? (
          list.data.periods.length === 0 ? (
            <p>Nessun periodo elettorale in calendario.</p>
          ) : (
            <table className="table">
              <caption className="visually-hidden">Periodi elettorali del Comune</caption>
              <thead>
                <tr>
                  <th scope="col">Nome</th>
                  <th scope="col">Tipo</th>
                  <th scope="col">Convocazione dei comizi</th>
                  <th scope="col">Chiusura dei seggi</th>
                  <th scope="col">Stato</th>
                  <th scope="col"><span className="visually-hidden">Azioni</span></th>
                </tr>
              </thead>
              <tbody>
                {list.data.periods.map((p) => (
                  <tr key={p.id}>
                    <td>{p.name}</td>
                    <td>{ELECTORAL_KIND[p.kind] ?? p.kind}</td>
                    <td>{formatDateTime(p.startsAt)}</td>
                    <td>{formatDateTime(p.endsAt)}</td>
                    <td>{p.inForce ? <span className="badge bg-warning text-dark">In corso</span> : Date.parse(p.endsAt) <= Date.now() ? 'Concluso' : 'Futuro'}</td>
                    <td>
                      <button type="button" className="btn btn-outline-danger btn-sm" onClick={() => setRemoving(p)}>
                        Elimina<span className="visually-hidden"> {p.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )
        ) : !list.error ? (
          <Loading />
        ) : null}

        <h3 className="h5 mt-4">Nuovo periodo</h3>
        <form
          className="row g-3"
          onSubmit={(e) => {
            e.preventDefault()
            setError(null)
            setDone(null)
            api<ElectoralPeriod>('POST', broadcastApi('/v1/electoral-periods'), { kind, name, startsAt, endsAt })
              .then((p) => {
                setDone(`Periodo “${p.name}” aggiunto.`)
                setName('')
                list.reload()
              })
              .catch((err: unknown) => setError(err))
          }}
        >
          <div className="col-md-4 form-group">
            <label htmlFor="periodo-nome" className="active">Nome</label>
            <input id="periodo-nome" className="form-control" required minLength={3} maxLength={160} value={name} onChange={(e) => setName(e.target.value)}
              placeholder="Elezioni comunali 2027" />
          </div>
          <div className="col-md-2 select-wrapper">
            <label htmlFor="periodo-tipo">Tipo</label>
            <select id="periodo-tipo" value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map((k) => (
                <option key={k} value={k}>{ELECTORAL_KIND[k]}</option>
              ))}
            </select>
          </div>
          <div className="col-md-3 form-group">
            <label htmlFor="periodo-inizio" className="active">Convocazione dei comizi</label>
            <input id="periodo-inizio" type="datetime-local" className="form-control" required value={startsAt} onChange={(e) => setStartsAt(e.target.value)} />
          </div>
          <div className="col-md-3 form-group">
            <label htmlFor="periodo-fine" className="active">Chiusura dei seggi</label>
            <input id="periodo-fine" type="datetime-local" className="form-control" required value={endsAt} onChange={(e) => setEndsAt(e.target.value)} />
          </div>
          <div className="col-12">
            <button type="submit" className="btn btn-primary">Aggiungi il periodo</button>
          </div>
        </form>
        <div aria-live="polite">{done ? <div className="alert alert-success mt-3">{done}</div> : null}</div>
        <ProblemAlert error={error} title="Periodo non aggiunto" />
        <ProblemAlert error={removeError} title="Periodo non eliminato" />
      </section>

      <section aria-labelledby="titolo-silenzio" className="mb-5">
        <h2 id="titolo-silenzio" className="h4">Ore di silenzio</h2>
        <QuietHoursForm />
      </section>

      {removing ? (
        <ConfirmDialog
          open
          title="Eliminare il periodo elettorale?"
          confirmLabel="Elimina"
          danger
          onCancel={() => setRemoving(null)}
          onConfirm={() => {
            setRemoveError(null)
            api('DELETE', broadcastApi(`/v1/electoral-periods/${removing.id}`))
              .then(() => {
                setDone(`Periodo “${removing.name}” eliminato.`)
                list.reload()
              })
              .catch((err: unknown) => setRemoveError(err))
              .finally(() => setRemoving(null))
          }}
        >
          <p>Il periodo “{removing.name}” sarà tolto dal calendario: le approvazioni non chiederanno più la dichiarazione in quelle date.</p>
        </ConfirmDialog>
      ) : null}
    </>
  )
}
