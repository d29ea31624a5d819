import type { BroadcastFailure } from '@banditore/contracts'

/** The columns of the failures CSV, in Italian (the people who open it are municipal staff). */
export const FAILURE_CSV_HEADERS = ['Numero di telefono', 'Canale', 'Codice motivo', 'Motivo', 'Data e ora (UTC)'] as const

const CHANNEL: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS' }

/** Provider codes staff meet most often (WhatsApp Cloud API, Twilio), in Italian. */
const PROVIDER_CODES: Record<string, string> = {
  '131026': 'messaggio non consegnabile (numero senza WhatsApp o app non aggiornata)',
  '131047': 'fuori dalla finestra di 24 ore: serve un modello approvato',
  '131049': 'non consegnato per limitare i messaggi di marketing a questo utente',
  '131050': 'il destinatario ha bloccato i messaggi di marketing',
  '131051': 'tipo di messaggio non supportato',
  '131053': 'contenuto multimediale non caricabile',
  '132000': 'numero di parametri del modello non corrispondente',
  '132001': 'modello inesistente o non approvato in questa lingua',
  '30003': 'telefono non raggiungibile (spento o fuori copertura)',
  '30004': 'messaggio bloccato dal destinatario',
  '30005': 'numero sconosciuto o non più attivo',
  '30006': 'numero fisso o operatore non raggiungibile',
  '30007': 'messaggio filtrato dall’operatore',
  '30008': 'errore sconosciuto dell’operatore',
  '21211': 'numero non valido',
  '21610': 'il destinatario ha chiesto di non ricevere SMS (STOP)',
  '21614': 'numero non abilitato agli SMS',
}

/**
 * The ledger's reason for a failed send as a sentence staff read: `invalid-number`,
 * `<provider>:<code>` (an error answered or a failed status), `retries-exhausted: <last error>`,
 * `ambiguous-unresolved`.
 */
export function failureReasonText(reason: string): string {
  if (reason === 'invalid-number') return 'numero non valido'
  if (reason === 'no-content-for-channel') return 'nessun testo per il canale del destinatario'
  if (reason === 'ambiguous-unresolved') return 'esito non confermato dal fornitore: non inviato di nuovo per non mandare un doppione'
  if (reason === 'unknown') return 'motivo non noto'
  if (reason.startsWith('retries-exhausted:')) {
    const last = reason.slice('retries-exhausted:'.length).trim()
    return `tentativi esauriti (ultimo errore: ${failureReasonText(last)})`
  }
  const provider = /^([a-z-]+):(.+)$/.exec(reason)
  if (provider) {
    const code = provider[2] as string
    const known = PROVIDER_CODES[code]
    if (code === 'network') return 'fornitore non raggiungibile'
    return known ? `rifiutato dal fornitore: ${known} (codice ${code})` : `rifiutato dal fornitore (codice ${code})`
  }
  return reason
}

/**
 * One CSV field as RFC 4180 quotes it: in double quotes when it holds a comma, a quote, a line
 * break or leading/trailing space, quotes doubled. A text a spreadsheet would run as a formula
 * (`=`, `@`, a tab or carriage return first) gets a leading apostrophe; numbers in E.164 (`+39…`)
 * are data of our own and stay as they are.
 */
export function csvField(value: string): string {
  const safe = /^[=@\t\r]/.test(value) || /^[+-][^0-9]/.test(value) ? `'${value}` : value
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** A CSV record, CRLF-terminated (RFC 4180). */
export const csvLine = (fields: readonly string[]) => `${fields.map(csvField).join(',')}\r\n`

export const failureCsvLine = (f: BroadcastFailure) => csvLine([f.phone, CHANNEL[f.channel] ?? f.channel, f.reason, failureReasonText(f.reason), f.at])
