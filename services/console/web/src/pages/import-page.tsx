import type { ImportView, SubscriberOptions } from '@banditore/contracts'
import { useEffect, useState } from 'react'
import { Link } from 'react-router-dom'
import { api, subscriptionsApi } from '../api/api-client'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { CHANNEL, formatDateTime, number } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { IMPORT_ERROR } from '../subscribers/subscriber-labels'

const STATUS: Record<string, string> = { previewed: 'Da avviare', running: 'In corso', completed: 'Completata' }

/**
 * Import of an existing list (Excel .xlsx or CSV): a preview that lists the rows with problems, highlighted as
 * GOV.UK Notify's upload check does, and the count per channel and topic; then the choice between
 * a confirmation request to each citizen (the default) and the consent the Comune documented.
 */
export default function ImportPage() {
  usePageTitle('Importa un elenco')
  const { tenant } = useSession()
  const base = subscriptionsApi(`/staff/${tenant?.id}`)
  const options = useApi<SubscriberOptions>(`${base}/subscriber-options`)
  const [file, setFile] = useState<File | null>(null)
  const [view, setView] = useState<ImportView | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [mode, setMode] = useState<'confirmation' | 'imported-consent'>('confirmation')
  const [source, setSource] = useState('')
  const [date, setDate] = useState('')
  const [reference, setReference] = useState('')

  // Follows a running import until it completes.
  useEffect(() => {
    if (view?.status !== 'running') return
    const timer = window.setInterval(() => {
      api<ImportView>('GET', `${base}/imports/${view.id}`).then(setView).catch((err: unknown) => setError(err))
    }, 1000)
    return () => window.clearInterval(timer)
  }, [base, view?.id, view?.status])

  const topicName = (id: string) => options.data?.topics.find((t) => t.id === id)?.name ?? id
  return (
    <>
      <h1>Importa un elenco</h1>
      <p>
        <Link to="/iscritti">Torna agli iscritti</Link>
      </p>
      <p>
        Carica un file Excel (.xlsx, il primo foglio) o CSV con una colonna <strong>telefono</strong> e, se vuoi, <strong>nome</strong>, <strong>argomenti</strong>, <strong>canale</strong> e <strong>lingua</strong>. Lo stesso file caricato due volte viene importato una volta sola.
      </p>
      <form
        className="row g-3 align-items-end mb-4"
        onSubmit={(e) => {
          e.preventDefault()
          if (!file) return
          setError(null)
          setBusy(true)
          file
            .arrayBuffer()
            .then((bytes) => api<ImportView>('POST', `${base}/imports?fileName=${encodeURIComponent(file.name)}`, undefined, { raw: { body: bytes, contentType: /\.xlsx$/i.test(file.name) ? 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' : 'text/csv' } }))
            .then(setView)
            .catch((err: unknown) => setError(err))
            .finally(() => setBusy(false))
        }}
      >
        <div className="col-md-8">
          <label htmlFor="file-elenco" className="form-label">File dell’elenco (Excel .xlsx o CSV)</label>
          <input id="file-elenco" className="form-control" type="file" accept=".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <div className="col-md-4">
          <button type="submit" className="btn btn-primary" disabled={busy || !file}>Controlla il file</button>
        </div>
      </form>
      <ProblemAlert error={error} title="Importazione non riuscita" />
      {view ? (
        <section aria-labelledby="titolo-anteprima">
          <h2 id="titolo-anteprima" className="h3">
            {view.fileName ?? 'Elenco'}: {STATUS[view.status]}
          </h2>
          {view.alreadyUploaded ? <p className="alert alert-info" role="status">Questo file era già stato caricato il {formatDateTime(view.createdAt)}: non viene importato di nuovo.</p> : null}
          <p data-testid="riepilogo-import">
            {number(view.totalRows)} righe: {number(view.validRows)} da importare, {number(view.errorRows)} con problemi.
          </p>
          <div className="row">
            <div className="col-md-6">
              <table className="table table-sm">
                <caption>Righe da importare per canale</caption>
                <thead>
                  <tr>
                    <th scope="col">Canale</th>
                    <th scope="col" className="text-end">Righe</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(view.byChannel).map(([c, n]) => (
                    <tr key={c}>
                      <th scope="row">{CHANNEL[c] ?? c}</th>
                      <td className="text-end">{number(n)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="col-md-6">
              <table className="table table-sm">
                <caption>Righe da importare per argomento</caption>
                <thead>
                  <tr>
                    <th scope="col">Argomento</th>
                    <th scope="col" className="text-end">Righe</th>
                  </tr>
                </thead>
                <tbody>
                  {Object.entries(view.byTopic).map(([t, n]) => (
                    <tr key={t}>
                      <th scope="row">{topicName(t)}</th>
                      <td className="text-end">{number(n)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>

          {view.errorRows > 0 ? (
            <div className="import-problems border-start border-5 border-danger ps-3 mb-4" data-testid="problemi-import">
              <h3 className="h4 text-danger">
                {view.errorRows === 1 ? 'C’è un problema nel file' : `Ci sono ${number(view.errorRows)} problemi nel file`}
              </h3>
              <p>
                Queste righe non saranno importate
                {Object.entries(view.errorsByKind)
                  .map(([k, n]) => ` · ${IMPORT_ERROR[k] ?? k}: ${number(n ?? 0)}`)
                  .join('')}
                . Puoi correggere il file e caricarlo di nuovo, oppure importare solo le righe corrette.
              </p>
              <div className="table-responsive">
                <table className="table table-sm">
                  <caption>Righe con problemi{view.errors.length < view.errorRows ? ` (le prime ${number(view.errors.length)})` : ''}</caption>
                  <thead>
                    <tr>
                      <th scope="col">Riga</th>
                      <th scope="col">Telefono</th>
                      <th scope="col">Nome</th>
                      <th scope="col">Problema</th>
                    </tr>
                  </thead>
                  <tbody>
                    {view.errors.map((e) => (
                      <tr key={e.line}>
                        <th scope="row">{e.line}</th>
                        <td>
                          <span className={e.error === 'invalid-number' || e.error === 'missing-number' ? 'text-danger fw-bold border-bottom border-danger border-2' : undefined}>{e.rawPhone || '(vuoto)'}</span>
                        </td>
                        <td>{e.name ?? ''}</td>
                        <td className="text-danger fw-semibold">{IMPORT_ERROR[e.error ?? ''] ?? e.error}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          ) : (
            <p className="alert alert-success">Nessun problema nel file.</p>
          )}

          {view.status === 'previewed' && view.validRows > 0 ? (
            <form
              className="mb-4"
              onSubmit={(e) => {
                e.preventDefault()
                setError(null)
                setBusy(true)
                api<ImportView>('POST', `${base}/imports/${view.id}/start`, mode === 'confirmation' ? { mode } : { mode, evidence: { source, date, documentReference: reference } })
                  .then(setView)
                  .catch((err: unknown) => setError(err))
                  .finally(() => setBusy(false))
              }}
            >
              <fieldset>
                <legend className="h4">Come importare i {number(view.validRows)} cittadini</legend>
                <div className="form-check">
                  <input id="modo-conferma" type="radio" name="modo" checked={mode === 'confirmation'} onChange={() => setMode('confirmation')} />
                  <label htmlFor="modo-conferma">Chiedi a ciascuno di confermare (consigliato): riceve un messaggio ed è iscritto solo se risponde</label>
                </div>
                <div className="form-check">
                  <input id="modo-consenso" type="radio" name="modo" checked={mode === 'imported-consent'} onChange={() => setMode('imported-consent')} />
                  <label htmlFor="modo-consenso">Il Comune ha già il consenso documentato: registralo come consenso importato, senza inviare messaggi</label>
                </div>
              </fieldset>
              {mode === 'imported-consent' ? (
                <div className="row g-3 mt-1">
                  <div className="col-md-4 form-group">
                    <label htmlFor="prova-fonte" className="active">Fonte del consenso</label>
                    <input id="prova-fonte" className="form-control" required minLength={3} placeholder="Moduli cartacei URP" value={source} onChange={(e) => setSource(e.target.value)} />
                  </div>
                  <div className="col-md-4 form-group">
                    <label htmlFor="prova-data" className="active">Data del consenso</label>
                    <input id="prova-data" className="form-control" type="date" required value={date} onChange={(e) => setDate(e.target.value)} />
                  </div>
                  <div className="col-md-4 form-group">
                    <label htmlFor="prova-riferimento" className="active">Riferimento del documento</label>
                    <input id="prova-riferimento" className="form-control" required placeholder="Prot. 2024/1234" value={reference} onChange={(e) => setReference(e.target.value)} />
                  </div>
                </div>
              ) : null}
              <button type="submit" className="btn btn-primary mt-3" disabled={busy}>
                Importa {number(view.validRows)} cittadini
              </button>
            </form>
          ) : null}
          {view.status !== 'previewed' ? (
            <div role="status" data-testid="avanzamento-import">
              <p>
                {view.status === 'completed' ? 'Importazione completata' : 'Importazione in corso'}: {number(view.progress.processedRows)} di {number(view.validRows)} righe
                {view.mode === 'confirmation' ? `, ${number(view.progress.confirmationsRequested)} richieste di conferma inviate` : `, ${number(view.progress.subscribed)} iscritti con consenso importato`}
                {view.progress.skipped ? `, ${number(view.progress.skipped)} saltati (già iscritti o bloccati nel frattempo)` : ''}.
              </p>
              <progress className="w-100" max={Math.max(view.validRows, 1)} value={view.progress.processedRows} aria-label="Avanzamento dell’importazione" />
            </div>
          ) : null}
        </section>
      ) : null}
    </>
  )
}
