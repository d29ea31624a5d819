import { broadcastApi } from '../api/api-client'
import type { BroadcastPlan } from '../api/types'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { CHANNEL, formatDateTime, formatDuration, LANGUAGE, number } from '../labels'

const euro = (n: number) => new Intl.NumberFormat('it-IT', { style: 'currency', currency: 'EUR', maximumFractionDigits: 4 }).format(n)
const TEMPLATE_CATEGORY: Record<string, string> = { marketing: 'marketing', utility: 'servizio (utility)', authentication: 'autenticazione', service: 'assistenza' }

/**
 * What the broadcast will do, before it is approved and sent (`GET /v1/broadcasts/:id/plan`):
 * audience and skipped, duration at the numbers' caps and quiet-hour pauses, WhatsApp's
 * messaging limit with what to do when it does not fit, and the estimated cost.
 */
export function PlanPanel({ id, reloadKey }: { id: string; reloadKey?: unknown }) {
  const { data: plan, error } = useApi<BroadcastPlan>(broadcastApi(`/v1/broadcasts/${id}/plan`), reloadKey)
  return (
    <section aria-labelledby="titolo-piano" className="mb-4" data-testid="piano">
      <h2 id="titolo-piano" className="h4">Piano di invio</h2>
      <ProblemAlert error={error} title="Piano non disponibile" />
      {!plan && !error ? <Loading label="Calcolo del piano…" /> : null}
      {plan ? (
        <div className="row">
          <div className="col-md-6">
            <h3 className="h6">Destinatari</h3>
            <p className="mb-1">
              <strong data-testid="piano-totale">{number(plan.audience.total)}</strong> iscritti raggiunti
            </p>
            <ul className="small">
              {Object.entries(plan.audience.byChannelAndLanguage).map(([k, n]) => {
                const [channel = '', language = ''] = k.split(':')
                return <li key={k}>{CHANNEL[channel] ?? channel}, {LANGUAGE[language] ?? language}: {number(n)}</li>
              })}
            </ul>
            <p className="small">
              Esclusi: {number(plan.skipped.outsideTopics)} iscritti senza gli argomenti o le lingue scelti. Chi ha bloccato i messaggi o è stato bloccato non è contato.
            </p>
            <h3 className="h6">Durata e orari</h3>
            <p className="small mb-1">
              Invio di {formatDuration(plan.duration.seconds)} al ritmo massimo dei numeri
              {plan.duration.whatsapp ? ` (WhatsApp ${plan.duration.whatsapp.messagesPerSecond}/s` : ' ('}
              {plan.duration.sms ? `${plan.duration.whatsapp ? ', ' : ''}SMS ${plan.duration.sms.messagesPerSecond}/s)` : ')'}.
            </p>
            <p className="small mb-1">
              Inizio {formatDateTime(plan.schedule.startsAt)}, fine stimata <span data-testid="piano-fine">{formatDateTime(plan.schedule.endsAt)}</span>.
            </p>
            <p className="small">
              {plan.schedule.quietHours.enabled
                ? `Fascia di silenzio: dalle ${plan.schedule.quietHours.start} alle ${plan.schedule.quietHours.end}.`
                : 'Nessuna fascia di silenzio.'}
              {plan.schedule.pauses.length > 0
                ? ` L’invio si ferma ${plan.schedule.pauses.map((p) => `dal ${formatDateTime(p.from)} al ${formatDateTime(p.until)}`).join(', ')} e riprende da solo.`
                : ''}
            </p>
          </div>
          <div className="col-md-6">
            {plan.whatsappLimit ? (
              <>
                <h3 className="h6">Limite di messaggi WhatsApp</h3>
                <p className="small mb-1">
                  Limite: {plan.whatsappLimit.limit === 'unlimited' ? 'illimitato' : `${number(plan.whatsappLimit.limit)} destinatari in 24 ore`}; già usati (stima per eccesso):{' '}
                  {number(plan.whatsappLimit.usedLast24Hours)}; servono {number(plan.whatsappLimit.needed)}.
                </p>
                {plan.whatsappLimit.fits ? (
                  <p className="small text-success fw-bold">L’invio rientra nel limite.</p>
                ) : (
                  <div className="alert alert-warning small" data-testid="piano-limite">
                    L’invio supera il limite di WhatsApp. Proposte:
                    <ul className="mb-0">
                      {plan.whatsappLimit.proposals.map((p) =>
                        p.kind === 'spread' ? (
                          <li key={p.kind}>distribuire l’invio su {p.days} giorni, fino a {number(p.perDay)} destinatari al giorno;</li>
                        ) : (
                          <li key={p.kind}>
                            inviare via WhatsApp a {number(p.whatsapp)} e via SMS ai restanti {number(p.sms)} ({number(p.smsSegments)} SMS).
                          </li>
                        ),
                      )}
                    </ul>
                  </div>
                )}
              </>
            ) : null}
            <h3 className="h6">Costo stimato</h3>
            {plan.cost ? (
              <ul className="small">
                <li>
                  WhatsApp, categoria {TEMPLATE_CATEGORY[plan.cost.whatsapp.category] ?? plan.cost.whatsapp.category}: {number(plan.cost.whatsapp.messages)} messaggi ×{' '}
                  {euro(plan.cost.whatsapp.unitPrice)} = {euro(plan.cost.whatsapp.total)}
                </li>
                <li>
                  SMS: {number(plan.cost.sms.segments)} parti × {euro(plan.cost.sms.unitPrice)} = {euro(plan.cost.sms.total)}
                </li>
                <li>
                  <strong data-testid="piano-costo">Totale {euro(plan.cost.total)}</strong>
                </li>
              </ul>
            ) : (
              <p className="small">Il Comune non ha un tariffario: costo non stimato.</p>
            )}
          </div>
        </div>
      ) : null}
    </section>
  )
}
