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
import { smsLength } from '../compose/sms-segments'
import { CHANNEL, formatDuration, LANGUAGE, number, TEMPLATE_CATEGORY, TEMPLATE_QUALITY, TEMPLATE_STATUS } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'
import { ErrorPage } from './error-page'

/** A template as the picker shows it: label, Meta's category and quality, or why it cannot be sent. */
function templateOptionText(t: ComposeOptions['templates'][number]): string {
  const registry = t.registry
  const category = TEMPLATE_CATEGORY[(registry?.category ?? t.category ?? '').toUpperCase()]
  if (!registry) return category ? `${t.label} – ${category}` : t.label
  if (registry.status !== 'APPROVED') return `${t.label} – ${TEMPLATE_STATUS[registry.status] ?? registry.status}`
  if (!registry.usable) return `${t.label} – Parametri diversi da quelli approvati`
  return `${t.label} – ${category ?? registry.category ?? ''} · Qualità: ${TEMPLATE_QUALITY[registry.qualityRating] ?? 'sconosciuta'}`
}

const CATEGORY: Record<string, string> = {
  political: 'propaganda politica',
  commercial: 'pubblicità commerciale',
  offensive: 'linguaggio offensivo',
  'personal-data': 'dati personali',
  'off-topic': 'contenuto non istituzionale',
  spam: 'spam',
  threat: 'minacce',
}

function SmsCounter({ text, id }: { text: string; id: string }) {
  const length = smsLength(text)
  return (
    <p id={id} className="small mb-0" aria-live="polite">
      {number(length.characters)} caratteri · codifica {length.encoding} · {length.segments} {length.segments === 1 ? 'SMS' : 'SMS concatenati'} ({length.perSegment} per parte,
      ne restano {length.remaining})
      {length.encoding === 'UCS-2' ? <> · caratteri non GSM: {length.nonGsm.map((c) => `«${c}»`).join(' ')} (riducono la parte a 70/67)</> : null}
    </p>
  )
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

  const toggle = (list: string[], value: string, on: boolean) => (on ? [...new Set([...list, value])] : list.filter((x) => x !== value))

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
          <div className="form-group mb-4">
            <label htmlFor="titolo" className="active">Titolo (solo per il personale)</label>
            <input id="titolo" className="form-control" value={form.title} maxLength={200} required aria-invalid={invalid('Titolo') || undefined}
              onChange={(e) => update({ title: e.target.value })} />
          </div>

          <fieldset className="mb-4">
            <legend className="h5">Argomenti</legend>
            {opts.topics.map((t) => (
              <div className="form-check" key={t.id}>
                <input id={`argomento-${t.id}`} type="checkbox" className="form-check-input" checked={form.topics.includes(t.id)}
                  onChange={(e) => update({ topics: toggle(form.topics, t.id, e.target.checked) })} />
                <label htmlFor={`argomento-${t.id}`} className="form-check-label">
                  {t.name}
                  {t.alwaysOn ? ' (raggiunge tutti gli iscritti)' : ''}
                </label>
              </div>
            ))}
          </fieldset>

          {opts.languages.length > 1 ? (
            <fieldset className="mb-4">
              <legend className="h5">Lingue</legend>
              {opts.languages.map((l) => (
                <div className="form-check form-check-inline" key={l}>
                  <input id={`lingua-${l}`} type="checkbox" className="form-check-input" checked={form.languages.includes(l)}
                    onChange={(e) => update({ languages: toggle(form.languages, l, e.target.checked) })} />
                  <label htmlFor={`lingua-${l}`} className="form-check-label">{LANGUAGE[l] ?? l}</label>
                </div>
              ))}
            </fieldset>
          ) : null}

          {opts.channels.whatsapp ? (
            <fieldset className="mb-4 border rounded p-3">
              <legend className="h5 float-none w-auto px-2">WhatsApp</legend>
              <div className="form-check mb-3">
                <input id="usa-whatsapp" type="checkbox" className="form-check-input" checked={form.whatsappEnabled} onChange={(e) => update({ whatsappEnabled: e.target.checked })} />
                <label htmlFor="usa-whatsapp" className="form-check-label">Invia agli iscritti WhatsApp</label>
              </div>
              {form.whatsappEnabled ? (
                <>
                  <div className="select-wrapper mb-3">
                    <label htmlFor="modello">Modello WhatsApp approvato</label>
                    <select id="modello" value={form.templateName} onChange={(e) => update({ templateName: e.target.value })} aria-invalid={invalid('Modello WhatsApp') || undefined}>
                      {opts.templates.length === 0 ? <option value="">Nessun modello configurato</option> : null}
                      {opts.templates.map((t) => (
                        <option key={t.name} value={t.name} disabled={t.registry ? !t.registry.usable : undefined}>
                          {templateOptionText(t)}
                        </option>
                      ))}
                    </select>
                    {opts.templateRegistry && (opts.templateRegistry.state !== 'synced' || opts.templateRegistry.lastError) ? (
                      <small className="form-text">{opts.templateRegistry.message}</small>
                    ) : null}
                  </div>
                  {template
                    ? form.languages.map((l) => (
                        <fieldset key={l} className="mb-3">
                          <legend className="h6">Parametri – {LANGUAGE[l] ?? l}</legend>
                          {template.parameters.map((p, i) => (
                            <div className="form-group mb-3" key={i}>
                              <label htmlFor={`parametro-${l}-${i}`} className="active">{`{{${i + 1}}} ${p.label}`}</label>
                              <input id={`parametro-${l}-${i}`} className="form-control" value={form.parameters[l]?.[i] ?? ''} placeholder={p.example ?? ''}
                                aria-invalid={invalid('Parametri del modello WhatsApp') || undefined}
                                onChange={(e) => {
                                  const values = [...(form.parameters[l] ?? template.parameters.map(() => ''))]
                                  values[i] = e.target.value
                                  update({ parameters: { ...form.parameters, [l]: values } })
                                }} />
                            </div>
                          ))}
                        </fieldset>
                      ))
                    : null}
                </>
              ) : null}
            </fieldset>
          ) : null}

          {opts.channels.sms ? (
            <fieldset className="mb-4 border rounded p-3">
              <legend className="h5 float-none w-auto px-2">SMS</legend>
              <div className="form-check mb-3">
                <input id="usa-sms" type="checkbox" className="form-check-input" checked={form.smsEnabled} onChange={(e) => update({ smsEnabled: e.target.checked })} />
                <label htmlFor="usa-sms" className="form-check-label">Invia agli iscritti SMS</label>
              </div>
              {form.smsEnabled
                ? form.languages.map((l) => (
                    <div className="form-group mb-3" key={l}>
                      <label htmlFor={`sms-${l}`} className="active">Testo SMS – {LANGUAGE[l] ?? l}</label>
                      <textarea id={`sms-${l}`} className="form-control" rows={4} maxLength={1600} value={form.smsTexts[l] ?? ''}
                        aria-describedby={`sms-${l}-conteggio`} aria-invalid={invalid('Testo SMS') || undefined}
                        onChange={(e) => update({ smsTexts: { ...form.smsTexts, [l]: e.target.value } })} />
                      <SmsCounter id={`sms-${l}-conteggio`} text={form.smsTexts[l] ?? ''} />
                    </div>
                  ))
                : null}
            </fieldset>
          ) : null}

          <div className="form-group mb-2">
            <label htmlFor="media" className="active">Collegamento a immagine o documento (facoltativo, https://)</label>
            <input id="media" type="url" className="form-control" value={form.mediaUrl} placeholder="https://" aria-invalid={invalid('Collegamento al contenuto multimediale') || undefined}
              onChange={(e) => update({ mediaUrl: e.target.value })} />
          </div>
          {form.mediaUrl ? (
            <div className="mb-4">
              {(['image', 'document'] as const).map((k) => (
                <div className="form-check form-check-inline" key={k}>
                  <input id={`tipo-${k}`} type="radio" name="tipo-media" className="form-check-input" checked={form.mediaKind === k} onChange={() => update({ mediaKind: k })} />
                  <label htmlFor={`tipo-${k}`} className="form-check-label">{k === 'image' ? 'Immagine' : 'Documento'}</label>
                </div>
              ))}
            </div>
          ) : null}

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
