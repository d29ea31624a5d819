import type { OccurrenceView, Recurrence, RecurringBroadcastView } from '../api/types'

export const SERIES_STATUS: Record<RecurringBroadcastView['status'], string> = { draft: 'Da approvare', active: 'Attiva', ended: 'Conclusa', cancelled: 'Annullata' }
export const OCCURRENCE_STATE: Record<OccurrenceView['state'], string> = {
  scheduled: 'In programma',
  edited: 'Testo modificato, approvato',
  'edit-pending': 'Testo modificato, da approvare',
  skipped: 'Saltata',
  dispatched: 'Inviata',
  refused: 'Non inviata',
}
const WEEKDAY: Record<string, string> = {
  monday: 'lunedì',
  tuesday: 'martedì',
  wednesday: 'mercoledì',
  thursday: 'giovedì',
  friday: 'venerdì',
  saturday: 'sabato',
  sunday: 'domenica',
}
const day = (date: string) => date.split('-').reverse().join('/')

/** The recurrence as staff read it, in Italian. */
export function describeRecurrence(r: Recurrence): string {
  if ('dates' in r) return r.dates.length === 1 ? 'una data annunciata' : `${r.dates.length} date annunciate`
  const when = r.every === 'week' ? `ogni ${r.weekdays.map((d) => WEEKDAY[d] ?? d).join(', ')}` : `il giorno ${r.day} di ogni mese`
  return `${when} alle ${r.at}, dal ${day(r.from)} al ${day(r.until)}`
}
