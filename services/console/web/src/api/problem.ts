/** RFC 9457 problem details as the staff APIs and the console answer them. */
export interface Problem {
  type?: string
  title?: string
  status: number
  detail?: string
  code?: string
  errors?: unknown
}

/** Field labels staff read, by JSON pointer (numbers stand for any index). */
const FIELD_LABELS: Array<[RegExp, string]> = [
  [/^\/title$/, 'Titolo'],
  [/^\/topics(\/\d+)?$/, 'Argomenti'],
  [/^\/languages(\/\d+)?$/, 'Lingue'],
  [/^\/sms\/texts(\/[a-z]{2})?$/, 'Testo SMS'],
  [/^\/sms(\/.*)?$/, 'Testo SMS'],
  [/^\/whatsapp\/templateName$/, 'Modello WhatsApp'],
  [/^\/whatsapp\/variants\/[a-z]{2}\/bodyParameters(\/\d+)?$/, 'Parametri del modello WhatsApp'],
  [/^\/whatsapp(\/.*)?$/, 'Modello WhatsApp'],
  [/^\/media\/url$/, 'Collegamento al contenuto multimediale'],
  [/^\/media(\/.*)?$/, 'Contenuto multimediale'],
  [/^\/recurrence\/weekdays(\/\d+)?$/, 'Giorni della settimana'],
  [/^\/recurrence\/day$/, 'Giorno del mese'],
  [/^\/recurrence\/at$/, 'Ora di invio'],
  [/^\/recurrence\/from$/, 'Dal'],
  [/^\/recurrence\/until$/, 'Fino al'],
  [/^\/recurrence\/dates(\/\d+)?$/, 'Date annunciate'],
  [/^\/recurrence(\/.*)?$/, 'Ricorrenza'],
  [/^\/reason$/, 'Motivo'],
  [/^\/headline(\/.*)?$/, 'Titolo dell’allerta'],
  [/^\/description(\/.*)?$/, 'Testo dell’allerta'],
  [/^\/instruction(\/.*)?$/, 'Indicazioni ai cittadini'],
  [/^\/references$/, 'Allerta di riferimento'],
  [/^\/poll(\/.*)?$/, 'Sondaggio di sicurezza'],
  [/^\/tenant$/, 'Comune'],
  [/^\/at$/, 'Data e ora di invio'],
  [/^\/holder$/, 'Titolare'],
  [/^\/label$/, 'Descrizione'],
  [/^\/role$/, 'Ruolo'],
]

export function fieldLabel(pointer: string): string | undefined {
  const normalized = pointer.startsWith('/') ? pointer : `/${pointer.replace(/\./g, '/')}`
  return FIELD_LABELS.find(([re]) => re.test(normalized))?.[1]
}

/** Replaces leading JSON pointers (`/sms/texts/it: ...`) with the field's Italian label. */
export function readableDetail(detail: string): string {
  return detail.replace(/(^|\s)(\/[a-zA-Z0-9_/-]*)(:)?/g, (whole, lead: string, pointer: string, colon: string | undefined) => {
    const label = fieldLabel(pointer)
    if (!label) return whole
    return `${lead}«${label}»${colon ?? ''}`
  })
}

const BY_STATUS: Record<number, string> = {
  400: 'La richiesta non è valida.',
  401: 'La sessione è scaduta: accedi di nuovo.',
  403: 'Non hai i permessi per questa azione.',
  404: 'L’elemento cercato non esiste o non appartiene al tuo Comune.',
  409: 'L’azione non è possibile nello stato attuale.',
  422: 'Alcuni dati non sono accettabili.',
  429: 'Troppe richieste: riprova tra poco.',
  500: 'Si è verificato un errore del servizio. Riprova tra poco.',
  502: 'Il servizio non risponde. Riprova tra poco.',
  503: 'Il servizio non è disponibile in questo momento. Riprova tra poco.',
  504: 'Il servizio non ha risposto in tempo. Riprova tra poco.',
}

/** A readable Italian sentence for the person, never a stack trace. */
export function problemMessage(problem: Problem): string {
  const fallback = BY_STATUS[problem.status] ?? (problem.status >= 500 ? BY_STATUS[500] : 'La richiesta non è andata a buon fine.')
  // Details of the staff APIs are Italian; 5xx details may be internal: never shown.
  if (problem.status >= 500 && problem.status !== 503) return fallback as string
  if (problem.status === 400 && Array.isArray(problem.errors)) {
    const fields = (problem.errors as Array<{ instancePath?: string; path?: string }>)
      .map((e) => fieldLabel(e.instancePath ?? e.path ?? ''))
      .filter((x): x is string => Boolean(x))
    if (fields.length > 0) return `Controlla questi campi: ${[...new Set(fields)].join(', ')}.`
  }
  if (problem.detail && /[àèéìòù]|\b(il|la|un|una|non|di|per)\b/i.test(problem.detail)) return readableDetail(problem.detail)
  if (problem.status === 400 && problem.detail) {
    const pointer = /(\/[a-zA-Z0-9_/-]+)/.exec(problem.detail)?.[1]
    const label = pointer ? fieldLabel(pointer) : undefined
    if (label) return `Il campo «${label}» non è valido.`
  }
  return fallback as string
}
