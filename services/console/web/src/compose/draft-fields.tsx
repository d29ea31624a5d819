import type { ComposeOptions } from '../api/types'
import { LANGUAGE, number, TEMPLATE_CATEGORY, TEMPLATE_QUALITY, TEMPLATE_STATUS } from '../labels'
import type { DraftForm } from './draft-form'
import { smsLength } from './sms-segments'

/** A template as the picker shows it: label, Meta's category and quality, or why it cannot be sent. */
function templateOptionText(t: ComposeOptions['templates'][number]): string {
  const registry = t.registry
  const category = TEMPLATE_CATEGORY[(registry?.category ?? t.category ?? '').toUpperCase()]
  if (!registry) return category ? `${t.label} – ${category}` : t.label
  if (registry.status !== 'APPROVED') return `${t.label} – ${TEMPLATE_STATUS[registry.status] ?? registry.status}`
  if (!registry.usable) return `${t.label} – Parametri diversi da quelli approvati`
  return `${t.label} – ${category ?? registry.category ?? ''} · Qualità: ${TEMPLATE_QUALITY[registry.qualityRating] ?? 'sconosciuta'}`
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

/**
 * The content of a draft (title, topics, languages, WhatsApp template and parameters, SMS texts,
 * media), shared by the broadcast compose page and the recurring series form. `invalid(label)`
 * says whether the API named that field in its refusal.
 */
export function DraftFields({ form, options: opts, update, invalid }: {
  form: DraftForm
  options: ComposeOptions
  update: (change: Partial<DraftForm>) => void
  invalid: (label: string) => boolean
}) {
  const template = opts.templates.find((t) => t.name === form.templateName)
  const toggle = (list: string[], value: string, on: boolean) => (on ? [...new Set([...list, value])] : list.filter((x) => x !== value))
  return (
    <>
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
              {/* Room above: Bootstrap Italia lifts the select's label over what precedes it. */}
              <div className="select-wrapper mb-3 mt-4">
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
    </>
  )
}
