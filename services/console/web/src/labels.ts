/** Italian labels of the platform's states and values. */
export const BROADCAST_STATUS: Record<string, string> = {
  draft: 'Bozza da approvare',
  approved: 'Approvata',
  scheduled: 'Programmata',
  sending: 'In invio',
  paused: 'In pausa',
  completed: 'Completata',
  cancelled: 'Annullata',
}
export const BROADCAST_BADGE: Record<string, string> = {
  draft: 'bg-secondary',
  approved: 'bg-primary',
  scheduled: 'bg-primary',
  sending: 'bg-warning text-white',
  paused: 'bg-warning text-white',
  completed: 'bg-success',
  cancelled: 'bg-dark',
}
export const EMERGENCY_STATUS: Record<string, string> = { draft: 'Bozza', active: 'In corso', closed: 'Chiusa' }
export const EMERGENCY_KIND: Record<string, string> = { alert: 'Allerta', update: 'Aggiornamento', cancel: 'Cessato allarme' }
export const SEVERITY: Record<string, string> = { Extreme: 'Estrema', Severe: 'Grave', Moderate: 'Moderata', Minor: 'Lieve', Unknown: 'Non nota' }
export const URGENCY: Record<string, string> = { Immediate: 'Immediata', Expected: 'Attesa', Future: 'Futura', Past: 'Passata', Unknown: 'Non nota' }
export const CERTAINTY: Record<string, string> = { Observed: 'Osservata', Likely: 'Probabile', Possible: 'Possibile', Unlikely: 'Improbabile', Unknown: 'Non nota' }
export const CHANNEL: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS' }
export const LANGUAGE: Record<string, string> = { it: 'Italiano', fr: 'Francese', de: 'Tedesco', en: 'Inglese', sl: 'Sloveno' }
export const ROLE: Record<string, string> = {
  operator: 'Operatore',
  approver: 'Approvatore',
  'civil-protection': 'Protezione civile',
  desk: 'Sportello',
  'privacy-officer': 'Responsabile privacy',
  'policy-editor': 'Editor delle regole',
  admin: 'Amministratore',
}
export const TIMELINE: Record<string, string> = {
  created: 'Allerta creata',
  triggered: 'Allerta inviata',
  'approval-skipped': 'Approvazione a quattro occhi saltata',
  'electoral-exemption': 'Esente dai limiti del periodo elettorale',
  'citizens-sent': 'Messaggi ai cittadini',
  'sms-fallback': 'Invio di riserva via SMS',
  'official-notified': 'Responsabile avvisato',
  acknowledged: 'Presa in carico',
  'escalation-exhausted': 'Nessuna presa in carico dalla catena dei responsabili',
  'on-duty-alerted': 'Personale di turno avvisato',
  superseded: 'Sostituita da un aggiornamento',
  follows: 'Segue un’allerta precedente',
  'poll-opened': 'Sondaggio aperto',
  'poll-help': 'Richieste di aiuto',
  'poll-reminder': 'Promemoria del sondaggio inviato',
  'poll-closed': 'Sondaggio chiuso',
  closed: 'Allerta chiusa',
}
/** Why a send failed or was skipped, as the send ledger names it. */
export const REASON: Record<string, string> = {
  cancelled: 'annullati',
  'opted-out': 'disiscritti',
  stopped: 'hanno bloccato i messaggi',
  blocked: 'bloccati',
  invalid: 'numero non valido',
  'invalid-number': 'numero non valido',
  unreachable: 'non raggiungibile',
  'no-content': 'nessun testo per il canale',
  rejected: 'rifiutato dal fornitore',
  expired: 'scaduto',
  unknown: 'motivo non noto',
}
/** A reason as the ledger writes it (`provider:131026`, `retries-exhausted: ...`) in Italian. */
export function reasonLabel(reason: string): string {
  const known = REASON[reason]
  if (known) return known
  if (reason === 'no-content-for-channel') return 'nessun testo per il canale'
  if (reason === 'ambiguous-unresolved') return 'esito non confermato dal fornitore'
  if (reason.startsWith('retries-exhausted:')) return `tentativi esauriti (${reasonLabel(reason.slice('retries-exhausted:'.length).trim())})`
  const provider = /^[a-z-]+:(.+)$/.exec(reason)
  if (provider) return provider[1] === 'network' ? 'fornitore non raggiungibile' : `rifiutato dal fornitore (codice ${provider[1]})`
  return reason
}

export function formatDateTime(iso: string | null | undefined) {
  if (!iso) return '—'
  return new Intl.DateTimeFormat('it-IT', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Rome' }).format(new Date(iso))
}

/**
 * When something ends, as staff read it: `alle 18:30` today, `alle 18:30 di mer 17 dic` another
 * day (Italian time).
 */
export function formatUntil(iso: string | null | undefined) {
  if (!iso) return '—'
  const zone = 'Europe/Rome'
  const at = new Date(iso)
  const day = (d: Date) => new Intl.DateTimeFormat('it-IT', { dateStyle: 'short', timeZone: zone }).format(d)
  const time = new Intl.DateTimeFormat('it-IT', { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(at)
  if (day(at) === day(new Date())) return `alle ${time}`
  return `alle ${time} di ${new Intl.DateTimeFormat('it-IT', { weekday: 'short', day: 'numeric', month: 'short', timeZone: zone }).format(at)}`
}

/** A WhatsApp template in the compose page's picker: Meta's category, quality and (when it cannot be sent) status. */
export const TEMPLATE_CATEGORY: Record<string, string> = { UTILITY: 'Utilità', MARKETING: 'Marketing', AUTHENTICATION: 'Autenticazione' }
export const TEMPLATE_QUALITY: Record<string, string> = { GREEN: 'alta', YELLOW: 'media', RED: 'bassa', UNKNOWN: 'sconosciuta' }
export const TEMPLATE_STATUS: Record<string, string> = {
  APPROVED: 'Approvato',
  PENDING: 'In revisione',
  REJECTED: 'Rifiutato',
  PAUSED: 'Sospeso',
  DISABLED: 'Disattivato',
  MISSING: 'Non presente su Meta',
}

export function formatDuration(seconds: number) {
  if (seconds < 60) return Math.ceil(seconds) === 1 ? '1 secondo' : `${Math.ceil(seconds)} secondi`
  const minutes = Math.ceil(seconds / 60)
  if (minutes < 60) return `${minutes} ${minutes === 1 ? 'minuto' : 'minuti'}`
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  return `${hours} ${hours === 1 ? 'ora' : 'ore'}${rest ? ` e ${rest} minuti` : ''}`
}

export const number = (n: number) => new Intl.NumberFormat('it-IT').format(n)

const BULLETIN_COLOUR: Record<'orange' | 'red', string> = { orange: 'arancione', red: 'rossa' }

/** A draft's origin when the DPC criticality bulletin made it: `Bozza dal bollettino di criticità del 7/12/2026 — zona Lomb-09, allerta arancione`. */
export function bulletinOrigin(origin: { day: string; zone: string; colour: 'orange' | 'red' }): string {
  const [year, month, day] = origin.day.split('-')
  return `Bozza dal bollettino di criticità del ${Number(day)}/${Number(month)}/${year} — zona ${origin.zone}, allerta ${BULLETIN_COLOUR[origin.colour]}`
}
