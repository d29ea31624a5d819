import { useEffect, useMemo, useRef, useState } from 'react'
import { useNavigate, useParams } from 'react-router-dom'
import { api, ApiError, broadcastApi } from '../api/api-client'
import { fieldLabel } from '../api/problem'
import type { BroadcastPreview, BroadcastView, ComposeOptions } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { bodyOf, emptyForm, formOf, renderTemplate, savedDraft, type DraftForm } from '../compose/draft-form'
import { PhonePreview } from '../compose/phone-preview'
import { ElectoralBanner } from '../compose/electoral-banner'
import { DraftFields } from '../compose/draft-fields'
import { CHANNEL, formatDuration, LANGUAGE, number } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { ErrorPage } from './error-page'

const CATEGORY: Record<string, string> = {
  political: 'propaganda politica',
  commercial: 'pubblicità commerciale',
  offensive: 'linguaggio offensivo',
  'personal-data': 'dati personali',
  'off-topic': 'contenuto non istituzionale',
  spam: 'spam',
  threat: 'minacce',
}

export default function BroadcastComposePage() {
  const { id } = useParams()
  const { tenant } = useSession()
  const navigate = useNavigate()
  usePageTitle(id ? 'Modifica comunicazione' : 'Nuova comunicazione')
  const options = useApi<ComposeOptions>(broadcastApi('/v1/compose-options'))
  const existing = useApi<BroadcastView>(id ? broadcastApi(`/v1/broadcasts/${id}`) : null)
  const [form, setForm] = useState<DraftForm | null>(null)
  const [restored, setRestored] = useState(false)
  const [preview, setPreview] = useState<BroadcastPreview | null>(null)
  const [previewError, setPreviewError] = useState<unknown>(null)
  const [submitError, setSubmitError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [savedAt, setSavedAt] = useState<string | null>(null)
  const errorRef = useRef<HTMLDivElement>(null)

  // Start from the autosaved form (a session that expired mid-draft), the stored draft, or empty.
  useEffect(() => {
    if (!options.data || !tenant || form) return
    if (id && !existing.data) return
    const saved = savedDraft.read(tenant.id, id)
    if (saved) {
      setForm(saved)
      setRestored(true)
    } else setForm(existing.data ? formOf(existing.data.draft, options.data) : emptyForm(options.data))
  }, [options.data, existing.data, tenant, id, form])

  useEffect(() => {
    if (form && tenant) savedDraft.write(tenant.id, id, form)
  }, [form, tenant, id])

  const body = useMemo(() => (form && options.data ? bodyOf(form, options.data) : null), [form, options.data])

  // The dry run (audience, outbound policy, duration) as the editor types, debounced.
  useEffect(() => {
    if (!body || body.topics.length === 0) {
      setPreview(null)
      return
    }
    const timer = window.setTimeout(() => {
      const { title: _title, ...rest } = body
      api<BroadcastPreview>('POST', broadcastApi('/v1/broadcasts/preview'), rest)
        .then((p) => {
          setPreview(p)
          setPreviewError(null)
        })
        .catch((e: unknown) => setPreviewError(e))
    }, 500)
    return () => window.clearTimeout(timer)
  }, [body])

  if (options.error) return <ErrorPage error={options.error} />
  if (existing.error) return <ErrorPage error={existing.error} />
  if (!form || !options.data || !tenant) return <Loading />
  const opts = options.data
  const template = opts.templates.find((t) => t.name === form.templateName)
  const update = (change: Partial<DraftForm>) => setForm({ ...form, ...change })
  const invalidField = submitError instanceof ApiError ? /(\/[a-zA-Z0-9_/-]+)/.exec(submitError.problem.detail ?? '')?.[1] : undefined
  const invalid = (label: string) => (invalidField ? fieldLabel(invalidField) === label : false)

  const submit = async () => {
    setBusy(true)
    setSubmitError(null)
    try {
      const saved = id
        ? await api<BroadcastView>('PUT', broadcastApi(`/v1/broadcasts/${id}`), body)
        : await api<BroadcastView>('POST', broadcastApi('/v1/broadcasts'), body)
      savedDraft.clear(tenant.id, id)
      navigate(`/comunicazioni/${saved.id}`, { state: { flash: 'Comunicazione inviata in approvazione.' } })
    } catch (error) {
      // 401: the api client sends the person to sign in; the form is already in localStorage.
      setSubmitError(error)
      window.requestAnimationFrame(() => errorRef.current?.focus())
    } finally {
      setBusy(false)
    }
  }

  return (
    <>
      <h1>{id ? 'Modifica comunicazione' : 'Nuova comunicazione'}</h1>
      <ElectoralBanner />
      {restored ? (
        <div className="alert alert-info" role="status">
          Abbiamo ripristinato la bozza salvata su questo dispositivo.{' '}
          <button type="button" className="btn btn-link p-0 align-baseline" onClick={() => {
            savedDraft.clear(tenant.id, id)
            setRestored(false)
            setForm(existing.data ? formOf(existing.data.draft, opts) : emptyForm(opts))
          }}>
            Ricomincia da capo
          </button>
        </div>
      ) : null}
      <div ref={errorRef} tabIndex={-1}>
        <ProblemAlert error={submitError} title="La comunicazione non è stata salvata" />
      </div>
      <div className="row">
        <form className="col-lg-7" noValidate onSubmit={(e) => {
          e.preventDefault()
          void submit()
        }}>
          <DraftFields form={form} options={opts} update={update} invalid={invalid} />


          <div className="d-flex gap-2 flex-wrap mt-4">
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Invio in corso…' : 'Invia per approvazione'}
            </button>
            <button type="button" className="btn btn-outline-primary" onClick={() => {
              savedDraft.write(tenant.id, id, form)
              setSavedAt(new Date().toLocaleTimeString('it-IT'))
            }}>
              Salva bozza
            </button>
          </div>
          <p className="small mt-2" role="status">
            {savedAt ? `Bozza salvata su questo dispositivo alle ${savedAt}.` : 'La bozza si salva da sola su questo dispositivo mentre scrivi.'}
          </p>
        </form>

        <aside className="col-lg-5" aria-labelledby="titolo-verifica">
          <h2 id="titolo-verifica" className="h4">Verifica prima dell’invio</h2>
          <div aria-live="polite">
            {form.topics.length === 0 ? <p>Scegli almeno un argomento per vedere a chi arriverà.</p> : null}
            <ProblemAlert error={previewError} />
            {preview ? (
              <>
                <h3 className="h6">Destinatari</h3>
                <p className="mb-1">
                  <strong data-testid="pubblico-totale">{number(preview.audience.total)}</strong> iscritti raggiunti
                </p>
                <ul className="small">
                  {Object.entries(preview.audience.byChannelAndLanguage).map(([k, n]) => {
                    const [channel = '', language = ''] = k.split(':')
                    return <li key={k}>{CHANNEL[channel] ?? channel}, {LANGUAGE[language] ?? language}: {number(n)}</li>
                  })}
                </ul>
                <h3 className="h6">Durata stimata</h3>
                <p className="small">
                  {formatDuration(preview.duration.seconds)}
                  {preview.duration.whatsapp ? ` · WhatsApp ${number(preview.duration.whatsapp.recipients)} a ${preview.duration.whatsapp.messagesPerSecond}/s` : ''}
                  {preview.duration.sms ? ` · SMS ${number(preview.duration.sms.recipients)} a ${preview.duration.sms.messagesPerSecond}/s` : ''}
                </p>
                <p className="small">Limite di WhatsApp, fasce di silenzio e costo stimato sono nel piano di invio della comunicazione, dopo il salvataggio.</p>
                <h3 className="h6">Controllo dei contenuti</h3>
                {!preview.outboundCheck ? <p className="small">Scrivi il testo per controllarlo.</p> : null}
                {preview.outboundCheck?.state === 'clean' ? <p className="small text-success fw-bold">Nessun problema rilevato.</p> : null}
                {preview.outboundCheck?.state === 'flagged' ? (
                  <div className="alert alert-warning small">
                    Il testo potrebbe violare la policy del Comune: {preview.outboundCheck.categories.map((c) => CATEGORY[c] ?? c).join(', ')}. L’approvatore dovrà confermarlo.
                  </div>
                ) : null}
                {preview.outboundCheck?.state === 'unavailable' ? <p className="small">Controllo non disponibile ora: l’approvatore lo vedrà.</p> : null}
              </>
            ) : null}
          </div>
          {form.whatsappEnabled && template
            ? form.languages.map((l) => (
                <PhonePreview key={`wa-${l}`} channel="whatsapp" language={l} mediaUrl={form.mediaUrl}
                  text={renderTemplate(template.languages[l]?.body ?? template.languages[opts.languages[0] ?? 'it']?.body ?? '', form.parameters[l] ?? [])} />
              ))
            : null}
          {form.smsEnabled ? form.languages.map((l) => <PhonePreview key={`sms-${l}`} channel="sms" language={l} text={form.smsTexts[l] ?? ''} />) : null}
        </aside>
      </div>
    </>
  )
}
