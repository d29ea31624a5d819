import type { ConsentLedgerEntry } from '@banditore/contracts'

/** Italian words for the subscribers screens. */
export const DOOR: Record<string, string> = {
  whatsapp: 'WhatsApp',
  sms: 'SMS',
  web: 'modulo web',
  paper: 'modulo cartaceo',
  staff: 'personale del Comune',
  provider: 'gestore telefonico',
  import: 'importazione di un elenco',
}
export const SUBSCRIBER_STATUS: Record<string, string> = { active: 'Iscritto', inactive: 'Non iscritto' }
export const AUDIT_ACTION: Record<string, string> = {
  viewed: 'Scheda consultata',
  exported: 'Esportazione dei dati',
  erased: 'Cancellazione dei dati',
  removed: 'Cancellazione d’ufficio',
  blocked: 'Numero bloccato',
  unblocked: 'Numero sbloccato',
  'paper-signup': 'Modulo cartaceo registrato',
}
export const IMPORT_ERROR: Record<string, string> = {
  'invalid-number': 'Numero non valido',
  duplicate: 'Numero ripetuto nel file',
  'already-subscribed': 'Già iscritto',
  blocked: 'Numero bloccato',
  'unknown-topic': 'Argomento sconosciuto',
  'unknown-channel': 'Canale non disponibile',
  'unknown-language': 'Lingua non disponibile',
  'missing-number': 'Numero mancante',
}

const quote = (text: string) => `«${text}»`
const formOf = (entry: ConsentLedgerEntry) => (entry.evidenceForm && typeof entry.evidenceForm === 'object' ? (entry.evidenceForm as Record<string, unknown>) : {})
const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '')

/** What happened, as a sentence a person reads: what the citizen wrote or signed, through which door. */
export function ledgerTitle(entry: ConsentLedgerEntry): string {
  switch (entry.event) {
    case 'signup-requested':
      return 'Richiesta di iscrizione, in attesa di conferma'
    case 'subscribed':
      return 'Iscrizione'
    case 'unsubscribed':
      return entry.door === 'staff' ? (entry.reason?.startsWith('erasure') ? 'Cancellazione per richiesta di cancellazione dei dati' : 'Cancellazione d’ufficio') : 'Cancellazione'
    case 'consent-imported':
      return 'Consenso raccolto in precedenza dal Comune (importato)'
  }
}

export function ledgerSentence(entry: ConsentLedgerEntry): string {
  const form = formOf(entry)
  const inner = form.form && typeof form.form === 'object' ? (form.form as Record<string, unknown>) : form
  if (entry.redaction === 'erasure' || (entry.redaction && !entry.evidenceText && !entry.evidenceForm)) {
    return `Prova anonimizzata (${entry.redaction === 'erasure' ? 'dati cancellati su richiesta' : 'periodo di conservazione scaduto'}): restano data, porta e versione dell’informativa.`
  }
  switch (entry.event) {
    case 'signup-requested':
      if (entry.door === 'paper') {
        return `Ha firmato il modulo cartaceo${str(inner.formReference) ? ` n. ${str(inner.formReference)}` : ''}${str(inner.signedAt) ? ` il ${str(inner.signedAt)}` : ''}, registrato da ${str(inner.operator) || entry.actor}. Al numero è stata inviata la richiesta di conferma.`
      }
      if (entry.door === 'import') {
        return `Numero importato dall’elenco ${quote(str(inner.fileName) || 'senza nome')} (riga ${str(inner.line)}). Al numero è stata inviata la richiesta di conferma.`
      }
      return `Ha compilato il modulo web di iscrizione${str(inner.name) ? ` a nome di ${str(inner.name)}` : ''}. Al numero è stata inviata la richiesta di conferma.`
    case 'subscribed':
      if (str(form.answer)) return `Ha confermato rispondendo ${quote(str(form.answer))} alla richiesta di conferma (${DOOR[entry.door] ?? entry.door}).`
      return entry.evidenceText ? `Ha scritto ${quote(entry.evidenceText)} via ${DOOR[entry.door] ?? entry.door}.` : `Iscrizione tramite ${DOOR[entry.door] ?? entry.door}.`
    case 'unsubscribed':
      if (entry.door === 'staff') return `Da ${entry.actor}${entry.reason ? `, motivo: ${entry.reason.replace(/^ex officio: /, '').replace(/^erasure: ?/, '')}` : ''}.`
      if (entry.door === 'provider') return 'Il gestore ha segnalato che il numero non riceve più i messaggi.'
      return entry.evidenceText ? `Ha scritto ${quote(entry.evidenceText)} via ${DOOR[entry.door] ?? entry.door}.` : `Tramite ${DOOR[entry.door] ?? entry.door}.`
    case 'consent-imported':
      return `Fonte: ${str(form.source)}; data del consenso: ${str(form.date)}; documento: ${str(form.documentReference)}; elenco ${quote(str(form.fileName) || 'senza nome')}, riga ${str(form.line)}. Importato da ${str(form.importedBy) || entry.actor}. Non è un consenso dato con parola chiave.`
  }
}

/** `sha256:0123…` shortened for reading; the full version is in the export. */
export const shortVersion = (version: string | null) => (version ? `${version.slice(0, 19)}…` : 'nessuna')
