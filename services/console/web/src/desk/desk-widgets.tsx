import { useEffect, useState } from 'react'
import type { OfficeHoursState } from '../api/desk-types'
import { formatDateTime } from '../labels'

/** "Sportello aperto / chiuso", why (an extraordinary closure or opening) and until when. */
export function OfficeHoursBadge({ hours }: { hours: OfficeHoursState }) {
  const next = hours.nextChangeAt ? formatDateTime(hours.nextChangeAt) : null
  return (
    <div className="d-flex align-items-center gap-2 flex-wrap" data-testid="stato-sportello">
      <span className={`badge ${hours.open ? 'bg-success' : 'bg-danger'}`}>{hours.open ? 'Sportello aperto' : 'Sportello chiuso'}</span>
      <span className="small">
        {hours.override ? `${hours.override.kind === 'closed' ? 'Chiusura straordinaria' : 'Apertura straordinaria'}: ${hours.override.reason}. ` : null}
        {next ? `${hours.open ? 'Chiude' : 'Apre'} ${next}.` : null}
      </span>
    </div>
  )
}

function left(ms: number) {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return h > 0 ? `${h} h ${m} min` : `${m} min`
}

/** The WhatsApp 24-hour window as a countdown (minute by minute; announced politely, not every tick). */
export function WindowCountdown({ endsAt, compact = false }: { endsAt: string | null; compact?: boolean }) {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!endsAt) return
    const timer = window.setInterval(() => setNow(Date.now()), 30_000)
    return () => window.clearInterval(timer)
  }, [endsAt])
  if (!endsAt) return <span className="small">SMS: nessuna finestra</span>
  const remaining = Date.parse(endsAt) - now
  if (remaining <= 0) return <span className="badge bg-secondary">Finestra di 24 ore chiusa</span>
  return (
    <span className={`badge ${remaining < 3 * 3_600_000 ? 'bg-warning text-white' : 'bg-primary'}`} data-testid="finestra">
      {compact ? `${left(remaining)}` : `Finestra di risposta: ${left(remaining)} rimanenti (fino a ${formatDateTime(endsAt)})`}
    </span>
  )
}

/**
 * A help request answering an emergency's safety poll ("2 Ho bisogno di aiuto"): said in words,
 * not by colour alone; with their number when a citizen has more than one open.
 */
export function HelpRequestBadge({ count = 1, className }: { count?: number; className?: string }) {
  return (
    <span className={`badge bg-danger${className ? ` ${className}` : ''}`} data-testid="richiesta-di-aiuto">
      Richiesta di aiuto{count > 1 ? ` (${count})` : ''}
    </span>
  )
}

export const MODERATION: Record<string, string> = {
  allow: 'Consentito',
  review: 'Da verificare',
  delete: 'Eliminato dalla moderazione',
  block: 'Bloccato',
  report: 'Segnalato',
}
export const MODERATION_BADGE: Record<string, string> = {
  allow: 'bg-success',
  review: 'bg-warning text-white',
  delete: 'bg-danger',
  block: 'bg-danger',
  report: 'bg-danger',
}
