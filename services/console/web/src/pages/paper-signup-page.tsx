import type { CounterSignupResult, SubscriberOptions } from '@banditore/contracts'
import { useState } from 'react'
import { Link } from 'react-router-dom'
import { api, subscriptionsApi } from '../api/api-client'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { LANGUAGE } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Rome' }).format(new Date())

/** A paper form signed at the URP counter: typed in here, the citizen then confirms from the phone (double opt-in). */
export default function PaperSignupPage() {
  usePageTitle('Modulo cartaceo')
  const { tenant } = useSession()
  const base = subscriptionsApi(`/staff/${tenant?.id}`)
  const options = useApi<SubscriberOptions>(`${base}/subscriber-options`)
  const [phone, setPhone] = useState('')
  const [name, setName] = useState('')
  const [reference, setReference] = useState('')
  const [signedAt, setSignedAt] = useState(today())
  const [language, setLanguage] = useState('')
  const [topics, setTopics] = useState<string[]>([])
  const [result, setResult] = useState<CounterSignupResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  if (options.error) return <ProblemAlert error={options.error} />
  if (!options.data) return <Loading />
  const o = options.data
  return (
    <>
      <h1>Modulo cartaceo</h1>
      <p>
        <Link to="/iscritti">Torna agli iscritti</Link>
      </p>
      {!o.paperSignup ? (
        <p className="alert alert-warning">Questo Comune non accetta iscrizioni da moduli cartacei.</p>
      ) : (
        <>
          <p>
            Registra il modulo firmato allo sportello. Il cittadino riceve sul telefono una richiesta di conferma, valida {o.confirmationValidityHours} ore: è iscritto solo quando risponde.
          </p>
          <form
            className="row g-3"
            onSubmit={(e) => {
              e.preventDefault()
              setError(null)
              setResult(null)
              setBusy(true)
              api<CounterSignupResult>('POST', `${base}/paper-signups`, { phone, name, topics, formReference: reference, signedAt, ...(language ? { language } : {}) })
                .then((r) => {
                  setResult(r)
                  if (r.status === 'confirmation-requested') {
                    setPhone('')
                    setName('')
                    setReference('')
                    setTopics([])
                  }
                })
                .catch((err: unknown) => setError(err))
                .finally(() => setBusy(false))
            }}
          >
            <div className="col-md-6 form-group">
              <label htmlFor="modulo-telefono" className="active">Numero di telefono</label>
              <input id="modulo-telefono" className="form-control" type="tel" autoComplete="off" required value={phone} onChange={(e) => setPhone(e.target.value)} />
            </div>
            <div className="col-md-6 form-group">
              <label htmlFor="modulo-nome" className="active">Nome e cognome</label>
              <input id="modulo-nome" className="form-control" required maxLength={120} value={name} onChange={(e) => setName(e.target.value)} />
            </div>
            <div className="col-md-6 form-group">
              <label htmlFor="modulo-riferimento" className="active">Numero del modulo (protocollo)</label>
              <input id="modulo-riferimento" className="form-control" required pattern="[A-Za-z0-9][A-Za-z0-9/._\-]{0,63}" aria-describedby="modulo-riferimento-aiuto" value={reference} onChange={(e) => setReference(e.target.value)} />
              <small id="modulo-riferimento-aiuto" className="form-text">Lettere, cifre e / . _ - (per esempio URP-2026-0042).</small>
            </div>
            <div className="col-md-6 form-group">
              <label htmlFor="modulo-data" className="active">Data della firma</label>
              <input id="modulo-data" className="form-control" type="date" required value={signedAt} max={today()} onChange={(e) => setSignedAt(e.target.value)} />
            </div>
            {o.languages.length > 1 ? (
              <div className="col-md-6 select-wrapper">
                <label htmlFor="modulo-lingua">Lingua del modulo</label>
                <select id="modulo-lingua" value={language} onChange={(e) => setLanguage(e.target.value)}>
                  {o.languages.map((l) => (
                    <option key={l} value={l === o.languages[0] ? '' : l}>{LANGUAGE[l] ?? l}</option>
                  ))}
                </select>
              </div>
            ) : null}
            <fieldset className="col-12">
              <legend className="h6">Argomenti scelti sul modulo</legend>
              {o.topics.map((t) => (
                <div className="form-check" key={t.id}>
                  <input
                    id={`modulo-argomento-${t.id}`}
                    type="checkbox"
                    checked={t.alwaysOn || topics.includes(t.id)}
                    disabled={t.alwaysOn}
                    onChange={(e) => setTopics((now) => (e.target.checked ? [...now, t.id] : now.filter((x) => x !== t.id)))}
                  />
                  <label htmlFor={`modulo-argomento-${t.id}`}>
                    {t.name}
                    {t.alwaysOn ? ' (sempre inviato)' : ''}
                  </label>
                </div>
              ))}
            </fieldset>
            <div className="col-12">
              <button type="submit" className="btn btn-primary" disabled={busy}>Registra il modulo</button>
            </div>
          </form>
          <ProblemAlert error={error} title="Modulo non registrato" />
          {result ? (
            <div className={`alert ${result.status === 'confirmation-requested' ? 'alert-success' : 'alert-info'} mt-3`} role="status">
              {result.message}
              {result.subscriberId ? (
                <>
                  {' '}
                  <Link to={`/iscritti/${result.subscriberId}`}>Apri la scheda</Link>
                </>
              ) : null}
            </div>
          ) : null}
        </>
      )}
    </>
  )
}
