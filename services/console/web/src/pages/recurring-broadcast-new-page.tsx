import { useEffect, useRef, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { api, ApiError, broadcastApi } from '../api/api-client'
import { fieldLabel } from '../api/problem'
import type { ComposeOptions, RecurringBroadcastBody, RecurringBroadcastView } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { DraftFields } from '../compose/draft-fields'
import { bodyOf, emptyForm, type DraftForm } from '../compose/draft-form'
import { ElectoralBanner } from '../compose/electoral-banner'
import { usePageTitle } from '../layout/page-title'
import { RecurrenceFields } from '../recurring/recurrence-fields'
import { emptyRecurrence, missingRecurrence, recurrenceErrorsOf, recurrenceOf, type FieldErrors, type RecurrenceForm } from '../recurring/recurrence-form'
import { ErrorPage } from './error-page'

/**
 * An operator writes a recurring series: the content as a broadcast's (the compose form's
 * fields) and when it recurs. The API checks both; its refusal is shown beside the field it names.
 */
export default function RecurringBroadcastNewPage() {
  usePageTitle('Nuova comunicazione ricorrente')
  const navigate = useNavigate()
  const options = useApi<ComposeOptions>(broadcastApi('/v1/compose-options'))
  const [form, setForm] = useState<DraftForm | null>(null)
  const [recurrence, setRecurrence] = useState<RecurrenceForm>(emptyRecurrence)
  const [submitError, setSubmitError] = useState<unknown>(null)
  const [fieldErrors, setFieldErrors] = useState<FieldErrors>({})
  const [busy, setBusy] = useState(false)
  const errorRef = useRef<HTMLDivElement>(null)

  useEffect(() => {
    if (options.data && !form) setForm(emptyForm(options.data))
  }, [options.data, form])

  if (options.error) return <ErrorPage error={options.error} />
  if (!form || !options.data) return <Loading />
  const opts = options.data
  const invalidField = submitError instanceof ApiError ? /(\/[a-zA-Z0-9_/-]+)/.exec(submitError.problem.detail ?? '')?.[1] : undefined
  const invalid = (label: string) => (invalidField ? fieldLabel(invalidField) === label : false)

  // The first input named by an error takes the focus; a group (weekdays, dates) or an error
  // that names no input sends it to the summary, which says what is wrong.
  const focusFirst = (errors: FieldErrors) => {
    window.requestAnimationFrame(() => {
      const first = Object.keys(errors).map((id) => document.getElementById(id)).find((el) => el instanceof HTMLInputElement)
      if (first) first.focus()
      else errorRef.current?.focus()
    })
  }

  const submit = async () => {
    setSubmitError(null)
    const missing = missingRecurrence(recurrence)
    if (Object.keys(missing).length > 0) {
      setFieldErrors(missing)
      focusFirst(missing)
      return
    }
    setFieldErrors({})
    setBusy(true)
    try {
      const body: RecurringBroadcastBody = { ...bodyOf(form, opts), recurrence: recurrenceOf(recurrence) }
      const saved = await api<RecurringBroadcastView>('POST', broadcastApi('/v1/recurring-broadcasts'), body)
      navigate(`/comunicazioni-ricorrenti/${saved.id}`, { state: { flash: 'Comunicazione ricorrente inviata in approvazione.' } })
    } catch (error) {
      setSubmitError(error)
      const errors = recurrenceErrorsOf(error)
      setFieldErrors(errors)
      focusFirst(errors)
    } finally {
      setBusy(false)
    }
  }

  const missingCount = Object.keys(fieldErrors).length
  return (
    <>
      <h1>Nuova comunicazione ricorrente</h1>
      <ElectoralBanner />
      <p>Scrivi l’avviso una volta e scegli quando ripeterlo. Una sola approvazione vale per tutta la serie.</p>
      <div ref={errorRef} tabIndex={-1}>
        <ProblemAlert error={submitError} title="La comunicazione ricorrente non è stata salvata" />
        {!submitError && missingCount > 0 ? (
          <div className="alert alert-danger" role="alert">
            <strong className="d-block">La comunicazione ricorrente non è stata salvata</strong>
            Completa i campi indicati.
          </div>
        ) : null}
      </div>
      <form className="col-lg-8" noValidate onSubmit={(e) => {
        e.preventDefault()
        void submit()
      }}>
        <DraftFields form={form} options={opts} update={(change) => setForm({ ...form, ...change })} invalid={invalid} />
        <RecurrenceFields form={recurrence} update={(change) => setRecurrence({ ...recurrence, ...change })} errors={fieldErrors} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Invio in corso…' : 'Invia per approvazione'}
        </button>
      </form>
    </>
  )
}
