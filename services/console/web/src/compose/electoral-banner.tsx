import { broadcastApi } from '../api/api-client'
import type { ElectoralPeriod, ElectoralPeriodList } from '../api/types'
import { useApi } from '../components/use-api'
import { formatDateTime } from '../labels'

export const ELECTORAL_KIND: Record<string, string> = {
  national: 'Elezioni politiche',
  regional: 'Elezioni regionali',
  european: 'Elezioni europee',
  municipal: 'Elezioni comunali',
  referendum: 'Referendum',
}

/** The electoral period in force, or null while loading, when none, or when it cannot be read. */
export function useElectoralPeriod() {
  const { data } = useApi<ElectoralPeriodList>(broadcastApi('/v1/electoral-periods'))
  return data?.inForce ?? null
}

/**
 * Says that an electoral period is in force (Legge 28/2000, art. 9): only impersonal and
 * indispensable communication, an approval states why, political content is refused.
 */
export function ElectoralBanner() {
  return <ElectoralNotice period={useElectoralPeriod()} />
}

/** The same notice, for a page that already read the period. */
export function ElectoralNotice({ period }: { period: ElectoralPeriod | null }) {
  if (!period) return null
  return (
    <div className="alert alert-warning" role="region" aria-label="Periodo elettorale in corso" data-testid="periodo-elettorale">
      <strong className="d-block">Periodo elettorale in corso: {period.name}</strong>
      Dal {formatDateTime(period.startsAt)} al {formatDateTime(period.endsAt)} il Comune può diffondere solo comunicazioni impersonali e indispensabili
      alle proprie funzioni (Legge 28/2000, art. 9). Chi approva deve dichiararne il motivo; i contenuti segnalati come politici non si possono inviare.
      Le emergenze ne sono esenti.
    </div>
  )
}
