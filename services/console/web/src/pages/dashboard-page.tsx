import { Link } from 'react-router-dom'
import { broadcastApi, subscriptionsApi } from '../api/api-client'
import type { Overview } from '../api/types'
import { Loading } from '../components/loading'
import { ElectoralBanner } from '../compose/electoral-banner'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { BROADCAST_BADGE, BROADCAST_STATUS, CHANNEL, formatDateTime, LANGUAGE, number, SEVERITY } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

function Counts({ title, entries }: { title: string; entries: Array<[string, number]> }) {
  return (
    <div className="col-md-4">
      <div className="card-wrapper card-space">
        <div className="card card-bg">
          <div className="card-body">
            <h3 className="card-title h5">{title}</h3>
            <dl className="mb-0">
              {entries.map(([label, n]) => (
                <div key={label} className="d-flex justify-content-between border-bottom py-1">
                  <dt className="fw-normal">{label}</dt>
                  <dd className="mb-0 fw-bold">{number(n)}</dd>
                </div>
              ))}
            </dl>
          </div>
        </div>
      </div>
    </div>
  )
}

/** Desk queue size: only for people who work the desk (the subscriptions service decides). */
function DeskQueue({ tenant }: { tenant: string }) {
  const { data, error } = useApi<{ messages: unknown[] }>(subscriptionsApi(`/desk/${tenant}/messages?status=open&limit=200`))
  if (error) return <p className="mb-0">Non disponibile per il tuo profilo.</p>
  if (!data) return <Loading />
  return (
    <p className="mb-0">
      <span className="stat-number d-block">{data.messages.length >= 200 ? '200+' : number(data.messages.length)}</span> messaggi aperti allo sportello
    </p>
  )
}

export default function DashboardPage() {
  const { tenant, can } = useSession()
  usePageTitle('Cruscotto')
  const { data, error } = useApi<Overview>(tenant ? broadcastApi('/v1/overview') : null)
  const topicName = (id: string) => id.replace(/-/g, ' ')
  return (
    <>
      <h1>Cruscotto</h1>
      <p className="lead">{tenant?.name}: iscritti, comunicazioni ed emergenze in corso.</p>
      <ElectoralBanner />
      <ProblemAlert error={error} />
      {!data && !error ? <Loading /> : null}
      {data ? (
        <>
          <section aria-labelledby="titolo-iscritti" className="mb-4">
            <h2 id="titolo-iscritti" className="h3">
              Iscritti {data.subscribers ? <span className="badge bg-primary ms-2">{number(data.subscribers.total)}</span> : null}
            </h2>
            {data.subscribers ? (
              <div className="row">
                <Counts title="Per canale" entries={Object.entries(data.subscribers.byChannel).map(([c, n]) => [CHANNEL[c] ?? c, n])} />
                <Counts title="Per argomento" entries={Object.entries(data.subscribers.byTopic).map(([t, n]) => [topicName(t), n])} />
                <Counts title="Per lingua" entries={Object.entries(data.subscribers.byLanguage).map(([l, n]) => [LANGUAGE[l] ?? l, n])} />
              </div>
            ) : (
              <div className="alert alert-warning">Il conteggio degli iscritti non è disponibile in questo momento.</div>
            )}
          </section>
          <div className="row">
            <section aria-labelledby="titolo-recenti" className="col-lg-8 mb-4">
              <h2 id="titolo-recenti" className="h3">
                Comunicazioni recenti
              </h2>
              <p>
                {data.broadcasts.awaitingApproval > 0
                  ? `${number(data.broadcasts.awaitingApproval)} in attesa di approvazione.`
                  : 'Nessuna comunicazione in attesa di approvazione.'}
              </p>
              {data.broadcasts.recent.length === 0 ? (
                <p>Nessuna comunicazione finora.</p>
              ) : (
                <ul className="list-group">
                  {data.broadcasts.recent.map((b) => (
                    <li key={b.id} className="list-group-item d-flex justify-content-between align-items-center gap-2">
                      <Link to={`/comunicazioni/${b.id}`}>{b.draft.title}</Link>
                      <span>
                        <span className={`badge ${BROADCAST_BADGE[b.status] ?? 'bg-secondary'}`}>{BROADCAST_STATUS[b.status] ?? b.status}</span>{' '}
                        <small>{formatDateTime(b.createdAt)}</small>
                      </span>
                    </li>
                  ))}
                </ul>
              )}
              {can('operator') ? (
                <Link className="btn btn-primary mt-3" to="/comunicazioni/nuova">
                  Nuova comunicazione
                </Link>
              ) : null}
            </section>
            <section aria-labelledby="titolo-emergenze" className="col-lg-4 mb-4">
              <h2 id="titolo-emergenze" className="h3">
                Emergenze in corso
              </h2>
              {data.emergencies.open.length === 0 ? (
                <p>Nessuna emergenza in corso.</p>
              ) : (
                <ul className="list-group mb-3">
                  {data.emergencies.open.map((e) => (
                    <li key={e.id} className="list-group-item">
                      <Link to={`/emergenze/${e.id}`}>{e.headline}</Link>
                      <div className="small">
                        Gravità {SEVERITY[e.severity] ?? e.severity} · {e.acknowledgedAt ? `presa in carico da ${e.acknowledgedBy}` : 'non ancora presa in carico'}
                      </div>
                    </li>
                  ))}
                </ul>
              )}
              {can('civil-protection', 'admin') ? (
                <Link className="btn btn-danger" to="/emergenze">
                  Lancia un’allerta
                </Link>
              ) : null}
              <h2 className="h3 mt-4">Sportello</h2>
              {tenant ? <DeskQueue tenant={tenant.id} /> : null}
            </section>
          </div>
        </>
      ) : null}
    </>
  )
}
