import { useEffect, useRef, useState } from 'react'
import { Link, useNavigate, useParams } from 'react-router-dom'
import { api, ApiError, broadcastApi } from '../api/api-client'
import { fieldLabel } from '../api/problem'
import type { ComposeOptions, OccurrenceView, RecurringBroadcastView } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { DraftFields } from '../compose/draft-fields'
import { bodyOf, formOf, type DraftForm } from '../compose/draft-form'
import { formatDateTime } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { ErrorPage } from './error-page'

/**
 * An operator replaces the text of one occurrence of a series (a holiday moves the collection).
 * The API checks it again; it is sent only after an approver other than its editor approves it.
 */
export default function RecurringOccurrenceEditPage() {
  const { id = '', at = '' } = useParams()
  const navigate = useNavigate()
  usePageTitle('Modifica un invio della serie')
  const options = useApi<ComposeOptions>(broadcastApi('/v1/compose-options'))
  const series = useApi<RecurringBroadcastView>(broadcastApi(`/v1/recurring-broadcasts/${id}`))
  const list = useApi<{ occurrences: OccurrenceView[] }>(broadcastApi(`/v1/recurring-broadcasts/${id}/occurrences?limit=400`))
  const [form, setForm] = useState<DraftForm | null>(null)
  const [submitError, setSubmitError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const errorRef = useRef<HTMLDivElement>(null)
  const occurrence = list.data?.occurrences.find((o) => o.at === at)

  // Start from the occurrence's own text when it has one, the series' otherwise.
  useEffect(() => {
    if (form || !options.data || !series.data || !list.data) return
    setForm(formOf(occurrence?.draft ?? series.data.draft, options.data))
  }, [form, options.data, series.data, list.data, occurrence])

  const loadError = options.error ?? series.error ?? list.error
  if (loadError) return <ErrorPage error={loadError} />
  if (!form || !options.data || !series.data) return <Loading />
  const opts = options.data
  const invalidField = submitError instanceof ApiError ? /(\/[a-zA-Z0-9_/-]+)/.exec(submitError.problem.detail ?? '')?.[1] : undefined
  const invalid = (label: string) => (invalidField ? fieldLabel(invalidField) === label : false)

  const submit = async () => {
    setBusy(true)
    setSubmitError(null)
    try {
      await api<OccurrenceView>('PUT', broadcastApi(`/v1/recurring-broadcasts/${id}/occurrences/${at}`), bodyOf(form, opts))
      navigate(`/comunicazioni-ricorrenti/${id}`, { state: { flash: `Testo dell’invio del ${formatDateTime(at)} modificato: ora va approvato.` } })
    } catch (error) {
      setSubmitError(error)
      window.requestAnimationFrame(() => errorRef.current?.focus())
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <p>
        <Link to={`/comunicazioni-ricorrenti/${id}`}>← Torna alla serie «{series.data.draft.title}»</Link>
      </p>
      <h1>Modifica l’invio del {formatDateTime(at)}</h1>
      <p>
        Il nuovo testo vale solo per questo invio della serie «{series.data.draft.title}». Parte soltanto dopo l’approvazione di un approvatore diverso da chi
        lo modifica; fino ad allora questo invio non parte.
      </p>
      {list.data && !occurrence ? <div className="alert alert-warning">Questo invio non è tra i prossimi della serie.</div> : null}
      <div ref={errorRef} tabIndex={-1}>
        <ProblemAlert error={submitError} title="Il testo non è stato salvato" />
      </div>
      <form className="col-lg-8" noValidate onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}>
        <DraftFields form={form} options={opts} update={(change) => setForm({ ...form, ...change })} invalid={invalid} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Invio in corso…' : 'Salva e invia per approvazione'}
        </button>
      </form>
    </>
  )
}
