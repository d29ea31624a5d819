import { ApiError } from '../api/api-client'
import type { EmergencyView, SafetyPollSettings, TimelineEntry } from '../api/types'
import { formatDuration, formatUntil, number } from '../labels'

/** What citizens read by SMS (on WhatsApp the alert carries two buttons instead). */
export const SAFETY_POLL_QUESTION = 'Come stai? Rispondi 1 se stai bene, 2 se hai bisogno di aiuto.'
/** The WhatsApp buttons, in their order. */
export const SAFETY_POLL_BUTTONS = ['Sto bene', 'Ho bisogno di aiuto'] as const

/** The staff's choice in the "Sondaggio di sicurezza" fieldset. */
export interface SafetyPollChoice {
  ask: boolean
  /** null: no reminder. */
  reminderAfterSeconds: number | null
  openForSeconds: number
}

const DEFAULT_OPEN_SECONDS = 6 * 3600

export const NO_SAFETY_POLL: SafetyPollChoice = { ask: false, reminderAfterSeconds: null, openForSeconds: DEFAULT_OPEN_SECONDS }

export const REMINDER_OPTIONS: ReadonlyArray<[number | null, string]> = [
  [null, 'Nessun promemoria'],
  [15 * 60, 'Dopo 15 minuti'],
  [30 * 60, 'Dopo 30 minuti'],
  [3600, 'Dopo 1 ora'],
  [2 * 3600, 'Dopo 2 ore'],
]

export const OPEN_FOR_OPTIONS: ReadonlyArray<[number, string]> = [
  [2 * 3600, '2 ore'],
  [DEFAULT_OPEN_SECONDS, '6 ore'],
  [12 * 3600, '12 ore'],
  [24 * 3600, '24 ore'],
]

/** The choice a draft already carries (a draft made with a poll), or none. */
export function safetyPollChoiceOf(poll: EmergencyView['poll']): SafetyPollChoice {
  if (!poll) return NO_SAFETY_POLL
  return { ask: true, reminderAfterSeconds: poll.reminderAfterSeconds, openForSeconds: poll.openForSeconds }
}

/** The request's `poll`, or undefined when staff do not ask. */
export function safetyPollBody(choice: SafetyPollChoice): SafetyPollSettings | undefined {
  if (!choice.ask) return undefined
  return { openForSeconds: choice.openForSeconds, ...(choice.reminderAfterSeconds !== null ? { reminderAfterSeconds: choice.reminderAfterSeconds } : {}) }
}

/** Which control of the fieldset an API refusal names, and why. */
export interface SafetyPollError {
  field: 'ask' | 'reminder' | 'openFor'
  message: string
}

const fieldOf = (pointer: string): SafetyPollError['field'] =>
  pointer.startsWith('/poll/reminderAfterSeconds') ? 'reminder' : pointer.startsWith('/poll/openForSeconds') ? 'openFor' : 'ask'

/**
 * The API's refusal of the poll as an error beside the fieldset: a 422 names it in its detail
 * (`/poll: un cessato allarme non chiede…`), a 400 in its schema errors. Anything else: undefined.
 */
export function safetyPollErrorOf(error: unknown): SafetyPollError | undefined {
  if (!(error instanceof ApiError)) return undefined
  const { detail, errors } = error.problem
  const named = /^(\/poll[a-zA-Z0-9/]*): (.+)$/.exec(detail ?? '')
  if (named?.[1] && named[2]) return { field: fieldOf(named[1]), message: named[2] }
  if (Array.isArray(errors)) {
    for (const e of errors as Array<{ instancePath?: string; path?: string; message?: string }>) {
      const pointer = e.instancePath ?? e.path ?? ''
      if (!pointer.startsWith('/poll')) continue
      const field = fieldOf(pointer)
      return { field, message: field === 'reminder' ? 'il promemoria scelto non è accettato' : field === 'openFor' ? 'la durata scelta non è accettata' : 'valore non valido' }
    }
  }
  return undefined
}

const plural = (n: number, one: string, many: string) => `${number(n)} ${n === 1 ? one : many}`
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/** The automatic reminder, in words: `promemoria automatico dopo 30 minuti`. */
export const reminderLabel = (seconds: number | null) => (seconds === null ? 'nessun promemoria automatico' : `promemoria automatico dopo ${formatDuration(seconds)}`)

/**
 * A safety poll's step on the alert's timeline, in Italian: the title (with its numbers) and the
 * detail line. Undefined for the other kinds.
 */
export function safetyPollTimeline(entry: TimelineEntry): { title: string; detail: string } | undefined {
  const d = entry.detail as Record<string, unknown>
  switch (entry.kind) {
    case 'poll-opened':
      return {
        title: 'Sondaggio aperto',
        detail: [`risposte fino ${formatUntil(typeof d.closesAt === 'string' ? d.closesAt : null)}`, reminderLabel(typeof d.reminderAfterSeconds === 'number' ? d.reminderAfterSeconds : null)].join(' · '),
      }
    case 'poll-help': {
      const onDuty = Array.isArray(d.onDuty) ? d.onDuty.map(String) : []
      const told = onDuty.length === 0 ? 'nessun personale di turno da avvisare' : num(d.accepted) > 0 ? 'avvisato il personale di turno' : 'avviso al personale di turno non riuscito'
      return {
        title: `Richieste di aiuto: ${plural(num(d.new), 'nuova', 'nuove')} (totale ${number(num(d.help))}), ${told}`,
        detail: onDuty.join(', '),
      }
    }
    case 'poll-reminder': {
      const sent = typeof d.accepted === 'number' ? d.accepted : num(d.total)
      return {
        title: `Promemoria inviato a ${plural(sent, 'cittadino', 'cittadini')}`,
        detail: num(d.failed) > 0 ? `${plural(num(d.failed), 'invio non riuscito', 'invii non riusciti')}` : '',
      }
    }
    case 'poll-closed':
      return {
        title: `Sondaggio chiuso: ${plural(num(d.ok), 'sta bene', 'stanno bene')}, ${plural(num(d.help), 'chiede aiuto', 'chiedono aiuto')}`,
        detail: [
          `${plural(num(d.helpWaiting), 'richiesta ancora aperta', 'richieste ancora aperte')} sullo sportello`,
          typeof d.stoppedBy === 'string' ? 'chiuso dal messaggio successivo' : 'tempo scaduto',
        ].join(' · '),
      }
    default:
      return undefined
  }
}
