import { ApiError } from '../api/api-client'
import type { Recurrence, Weekday } from '../api/types'

/** Monday first, as Italian calendars are. */
export const WEEKDAYS: ReadonlyArray<[Weekday, string]> = [
  ['monday', 'Lunedì'],
  ['tuesday', 'Martedì'],
  ['wednesday', 'Mercoledì'],
  ['thursday', 'Giovedì'],
  ['friday', 'Venerdì'],
  ['saturday', 'Sabato'],
  ['sunday', 'Domenica'],
]

/** What the recurrence section holds while staff write it (local time, Europe/Rome). */
export interface RecurrenceForm {
  kind: 'week' | 'month' | 'dates'
  weekdays: Weekday[]
  /** HH:MM */
  at: string
  /** YYYY-MM-DD */
  from: string
  until: string
  /** 1-28, as typed. */
  day: string
  /** YYYY-MM-DDTHH:MM each, as the datetime-local inputs give them. */
  dates: string[]
}

export const emptyRecurrence = (): RecurrenceForm => ({ kind: 'week', weekdays: [], at: '', from: '', until: '', day: '1', dates: [''] })

/** The id of the input (or group) a field error is shown beside; see RecurrenceFields. */
export type FieldErrors = Record<string, string>

/** What staff forgot to fill in, before asking the API: field id → Italian message. */
export function missingRecurrence(form: RecurrenceForm): FieldErrors {
  const errors: FieldErrors = {}
  if (form.kind === 'dates') {
    form.dates.forEach((d, i) => {
      if (!d) errors[`ric-data-${i}`] = 'indica data e ora'
    })
    return errors
  }
  if (form.kind === 'week' && form.weekdays.length === 0) errors['ric-giorni'] = 'scegli almeno un giorno'
  if (form.kind === 'month') {
    const day = Number(form.day)
    if (!Number.isInteger(day) || day < 1 || day > 28) errors['ric-giorno'] = 'indica un giorno tra 1 e 28'
  }
  if (!form.at) errors['ric-ora'] = 'indica l’ora di invio'
  if (!form.from) errors['ric-dal'] = 'indica la data di inizio'
  if (!form.until) errors['ric-al'] = 'indica la data di fine'
  return errors
}

export function recurrenceOf(form: RecurrenceForm): Recurrence {
  if (form.kind === 'dates') return { dates: form.dates }
  if (form.kind === 'month') return { every: 'month', day: Number(form.day), at: form.at, from: form.from, until: form.until }
  // Sent in the week's order, whatever order they were ticked in.
  const weekdays = WEEKDAYS.map(([d]) => d).filter((d) => form.weekdays.includes(d))
  return { every: 'week', weekdays, at: form.at, from: form.from, until: form.until }
}

/** The input of the recurrence section a JSON pointer names (`/recurrence/until` → `ric-al`). */
function fieldOf(pointer: string): string | undefined {
  const date = /^\/recurrence\/dates\/(\d+)/.exec(pointer)
  if (date) return `ric-data-${date[1]}`
  const named: Record<string, string> = {
    '/recurrence/weekdays': 'ric-giorni',
    '/recurrence/day': 'ric-giorno',
    '/recurrence/at': 'ric-ora',
    '/recurrence/from': 'ric-dal',
    '/recurrence/until': 'ric-al',
    '/recurrence/dates': 'ric-date',
  }
  const key = Object.keys(named).find((k) => pointer === k || pointer.startsWith(`${k}/`))
  if (key) return named[key]
  return pointer.startsWith('/recurrence') ? 'ric-ricorrenza' : undefined
}

/**
 * The API's refusal as errors beside the recurrence's inputs: a 422 `RECURRENCE_INVALID` names
 * the field in its detail (`/recurrence/until: la data di fine deve seguire quella di inizio`), a
 * 400 in its schema errors. Anything else stays in the summary only.
 */
export function recurrenceErrorsOf(error: unknown): FieldErrors {
  if (!(error instanceof ApiError)) return {}
  const { detail, errors } = error.problem
  const named = /^(\/recurrence[a-zA-Z0-9/]*): (.+)$/.exec(detail ?? '')
  if (named?.[1] && named[2]) {
    const field = fieldOf(named[1])
    return field ? { [field]: named[2] } : {}
  }
  if (Array.isArray(errors)) {
    const found: FieldErrors = {}
    for (const e of errors as Array<{ instancePath?: string; path?: string }>) {
      const field = fieldOf(e.instancePath ?? e.path ?? '')
      if (field && !found[field]) found[field] = 'valore non valido'
    }
    return found
  }
  return {}
}
