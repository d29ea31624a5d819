import { WEEKDAYS, type FieldErrors, type RecurrenceForm } from './recurrence-form'

/** The message beside a field, named by the field's aria-describedby. */
function FieldError({ id, errors }: { id: string; errors: FieldErrors }) {
  const message = errors[id]
  if (!message) return null
  return (
    <p id={`${id}-errore`} className="small fw-semibold text-danger mt-1 mb-0">
      Errore: {message}
    </p>
  )
}

/** aria-invalid and aria-describedby for an input that may carry an error. */
const described = (id: string, errors: FieldErrors, help?: string) => {
  const ids = [help, errors[id] ? `${id}-errore` : undefined].filter(Boolean).join(' ')
  return { 'aria-invalid': errors[id] ? true : undefined, 'aria-describedby': ids || undefined }
}

function Between({ form, update, errors }: { form: RecurrenceForm; update: (c: Partial<RecurrenceForm>) => void; errors: FieldErrors }) {
  return (
    <div className="row">
      <div className="form-group col-md-4 mb-3">
        <label htmlFor="ric-ora" className="active">Ora di invio</label>
        <input id="ric-ora" type="time" className="form-control" value={form.at} required onChange={(e) => update({ at: e.target.value })} {...described('ric-ora', errors)} />
        <FieldError id="ric-ora" errors={errors} />
      </div>
      <div className="form-group col-md-4 mb-3">
        <label htmlFor="ric-dal" className="active">Dal</label>
        <input id="ric-dal" type="date" className="form-control" value={form.from} required onChange={(e) => update({ from: e.target.value })} {...described('ric-dal', errors)} />
        <FieldError id="ric-dal" errors={errors} />
      </div>
      <div className="form-group col-md-4 mb-3">
        <label htmlFor="ric-al" className="active">Fino al</label>
        <input id="ric-al" type="date" className="form-control" value={form.until} required onChange={(e) => update({ until: e.target.value })}
          {...described('ric-al', errors, 'ric-al-aiuto')} />
        <p id="ric-al-aiuto" className="small mb-0">Una serie dura al massimo 400 giorni.</p>
        <FieldError id="ric-al" errors={errors} />
      </div>
    </div>
  )
}

/**
 * When a series sends, in Italian local time: each week on some weekdays, each month on one day
 * (1-28), or on announced dates. Errors (`errors`, by input id) are shown beside their input.
 */
export function RecurrenceFields({ form, update, errors }: { form: RecurrenceForm; update: (change: Partial<RecurrenceForm>) => void; errors: FieldErrors }) {
  const kinds = [
    ['week', 'Ogni settimana'],
    ['month', 'Ogni mese'],
    ['dates', 'In date annunciate'],
  ] as const
  return (
    <fieldset className="mb-4 border rounded p-3" id="ric-ricorrenza" aria-describedby={errors['ric-ricorrenza'] ? 'ric-ricorrenza-errore' : undefined}>
      <legend className="h5 float-none w-auto px-2">Quando si ripete (ora italiana)</legend>
      <FieldError id="ric-ricorrenza" errors={errors} />
      <div className="mb-3">
        {kinds.map(([kind, label]) => (
          <div className="form-check form-check-inline" key={kind}>
            <input id={`ric-tipo-${kind}`} type="radio" name="ric-tipo" className="form-check-input" checked={form.kind === kind} onChange={() => update({ kind })} />
            <label htmlFor={`ric-tipo-${kind}`} className="form-check-label">{label}</label>
          </div>
        ))}
      </div>

      {form.kind === 'week' ? (
        <>
          <fieldset className="mb-3" id="ric-giorni" aria-describedby={errors['ric-giorni'] ? 'ric-giorni-errore' : undefined}>
            <legend className="h6">Giorni della settimana</legend>
            {WEEKDAYS.map(([day, label]) => (
              <div className="form-check form-check-inline" key={day}>
                <input id={`ric-giorno-${day}`} type="checkbox" className="form-check-input" checked={form.weekdays.includes(day)}
                  onChange={(e) => update({ weekdays: e.target.checked ? [...form.weekdays, day] : form.weekdays.filter((d) => d !== day) })} />
                <label htmlFor={`ric-giorno-${day}`} className="form-check-label">{label}</label>
              </div>
            ))}
            <FieldError id="ric-giorni" errors={errors} />
          </fieldset>
          <Between form={form} update={update} errors={errors} />
        </>
      ) : null}

      {form.kind === 'month' ? (
        <>
          <div className="form-group mb-3">
            <label htmlFor="ric-giorno" className="active">Giorno del mese (da 1 a 28)</label>
            <input id="ric-giorno" type="number" min={1} max={28} step={1} className="form-control" value={form.day} required
              onChange={(e) => update({ day: e.target.value })} {...described('ric-giorno', errors, 'ric-giorno-aiuto')} />
            <p id="ric-giorno-aiuto" className="small mb-0">Fino al 28, che ogni mese ha.</p>
            <FieldError id="ric-giorno" errors={errors} />
          </div>
          <Between form={form} update={update} errors={errors} />
        </>
      ) : null}

      {form.kind === 'dates' ? (
        <fieldset id="ric-date" aria-describedby={errors['ric-date'] ? 'ric-date-errore' : undefined}>
          <legend className="h6">Date annunciate</legend>
          <FieldError id="ric-date" errors={errors} />
          {form.dates.map((date, i) => (
            <div className="d-flex align-items-start gap-2 mb-3" key={i}>
              <div className="form-group mb-0 flex-grow-1">
                <label htmlFor={`ric-data-${i}`} className="active">Data e ora {i + 1}</label>
                <input id={`ric-data-${i}`} type="datetime-local" className="form-control" value={date} required
                  onChange={(e) => update({ dates: form.dates.map((d, j) => (j === i ? e.target.value : d)) })} {...described(`ric-data-${i}`, errors)} />
                <FieldError id={`ric-data-${i}`} errors={errors} />
              </div>
              {form.dates.length > 1 ? (
                <button type="button" className="btn btn-outline-danger btn-sm mt-4" onClick={() => update({ dates: form.dates.filter((_, j) => j !== i) })}>
                  Togli<span className="visually-hidden"> la data {i + 1}</span>
                </button>
              ) : null}
            </div>
          ))}
          <button type="button" className="btn btn-outline-primary btn-sm" onClick={() => update({ dates: [...form.dates, ''] })}>
            Aggiungi una data
          </button>
        </fieldset>
      ) : null}
    </fieldset>
  )
}
