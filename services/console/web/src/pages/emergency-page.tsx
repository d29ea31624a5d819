import { useEffect, useRef, useState } from 'react'
import { Link, useNavigate } from 'react-router-dom'
import { api, broadcastApi } from '../api/api-client'
import type { AlertTemplate, EmergencySummary, EmergencyView } from '../api/types'
import { ConfirmDialog } from '../components/confirm-dialog'
import { Loading } from '../components/loading'
import { ProblemAlert } from '../components/problem-alert'
import { useApi } from '../components/use-api'
import { SafetyPollFields } from '../emergency/safety-poll-fields'
import { NO_SAFETY_POLL, safetyPollBody, safetyPollErrorOf, type SafetyPollChoice } from '../emergency/safety-poll-form'
import { bulletinOrigin, EMERGENCY_KIND, EMERGENCY_STATUS, formatDateTime, SEVERITY, URGENCY } from '../labels'
import { usePageTitle } from '../layout/page-title'
import { useSession } from '../session/session-context'

const COUNTDOWN_SECONDS = 5

/**
 * Launch from a template: confirm (and choose whether it asks citizens how they are), then a
 * countdown that can still be cancelled, then the send.
 */
function LaunchDialog({ template, onClose }: { template: AlertTemplate; onClose: () => void }) {
  const navigate = useNavigate()
  const [left, setLeft] = useState<number | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [poll, setPoll] = useState<SafetyPollChoice>(NO_SAFETY_POLL)
  const sent = useRef(false)

  useEffect(() => {
    if (left === null) return
    if (left > 0) {
      const timer = window.setTimeout(() => setLeft(left - 1), 1000)
      return () => window.clearTimeout(timer)
    }
    if (sent.current) return
    sent.current = true
    const { id: _id, label, event: _event, ...message } = template
    const asked = safetyPollBody(poll)
    api<EmergencyView>('POST', broadcastApi('/v1/emergencies'), {
      kind: 'alert',
      ...message,
      ...(asked ? { poll: asked } : {}),
      trigger: { reason: `Allerta «${label}» lanciata dalla console` },
    })
      .then((created) => navigate(`/emergenze/${created.id}`))
      .catch((e: unknown) => {
        setError(e)
        setLeft(null)
        sent.current = false
      })
  }, [left, template, navigate, poll])

  const first = Object.keys(template.headline)[0] ?? 'it'
  return (
    <ConfirmDialog
      open
      title={`Lanciare «${template.label}»?`}
      confirmLabel={left === null ? 'Conferma invio' : 'Invio in corso…'}
      cancelLabel={left === null ? 'Annulla' : 'Ferma l’invio'}
      danger
      busy={left !== null}
      onCancel={() => {
        setLeft(null)
        onClose()
      }}
      onConfirm={() => setLeft(COUNTDOWN_SECONDS)}
    >
      <p className="fw-bold">{template.headline[first]}</p>
      <p>{template.description[first]}</p>
      <p className="small">
        Gravità {SEVERITY[template.severity]}, urgenza {URGENCY[template.urgency]}. Arriva a tutti gli iscritti e avvisa la catena dei responsabili. L’allerta salta l’approvazione a quattro occhi: il motivo viene registrato.
      </p>
      <SafetyPollFields value={poll} onChange={setPoll} kind="alert" error={safetyPollErrorOf(error)} disabled={left !== null} />
      <div role="status" aria-live="assertive">
        {left !== null && left > 0 ? (
          <p>
            Invio tra <span className="countdown" data-testid="conto-alla-rovescia">{left}</span> secondi. Premi «Ferma l’invio» per annullare.
          </p>
        ) : null}
      </div>
      <ProblemAlert error={error} title="Allerta non inviata" />
    </ConfirmDialog>
  )
}

function CapUpload() {
  const navigate = useNavigate()
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const [file, setFile] = useState<File | null>(null)
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault()
        if (!file) return
        setBusy(true)
        setError(null)
        void file
          .text()
          .then((xml) => api<EmergencyView>('POST', broadcastApi('/v1/emergencies/cap'), undefined, { raw: { body: xml, contentType: 'application/cap+xml' } }))
          .then((created) => navigate(`/emergenze/${created.id}`))
          .catch((err: unknown) => setError(err))
          .finally(() => setBusy(false))
      }}
    >
      <div className="mb-3">
        <label htmlFor="file-cap" className="form-label">
          File CAP 1.2 (XML)
        </label>
        <input id="file-cap" type="file" className="form-control" accept=".xml,.cap,application/xml,text/xml,application/cap+xml" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <ProblemAlert error={error} title="Il file non è stato accettato" />
      <button type="submit" className="btn btn-outline-primary" disabled={!file || busy}>
        {busy ? 'Caricamento…' : 'Carica e rivedi come bozza'}
      </button>
    </form>
  )
}

export default function EmergencyPage() {
  usePageTitle('Emergenze')
  const { can } = useSession()
  const launcher = can('civil-protection', 'admin')
  const templates = useApi<{ languages: string[]; templates: AlertTemplate[] }>(launcher ? broadcastApi('/v1/emergency-templates') : null)
  const list = useApi<{ emergencies: EmergencySummary[] }>(broadcastApi('/v1/emergencies?limit=50'))
  const [chosen, setChosen] = useState<AlertTemplate | null>(null)
  return (
    <>
      <h1>Emergenze</h1>
      {launcher ? (
        <section aria-labelledby="titolo-lancia" className="mb-5">
          <h2 id="titolo-lancia" className="h3">Lancia un’allerta</h2>
          <ProblemAlert error={templates.error} />
          {templates.data && templates.data.templates.length === 0 ? <p>Il Comune non ha modelli di allerta configurati: usa un file CAP.</p> : null}
          <div className="d-flex flex-wrap gap-3">
            {templates.data?.templates.map((t) => (
              <button key={t.id} type="button" className="btn btn-danger btn-lg" onClick={() => setChosen(t)}>
                {t.label}
              </button>
            ))}
          </div>
          <h3 className="h5 mt-4">Oppure da un file CAP</h3>
          <CapUpload />
        </section>
      ) : (
        <div className="alert alert-info">Per lanciare un’allerta serve il ruolo Protezione civile.</div>
      )}
      <section aria-labelledby="titolo-elenco">
        <h2 id="titolo-elenco" className="h3">Allerte</h2>
        <ProblemAlert error={list.error} />
        {!list.data && !list.error ? <Loading /> : null}
        {list.data && list.data.emergencies.length === 0 ? <p>Nessuna allerta finora.</p> : null}
        {list.data && list.data.emergencies.length > 0 ? (
          <ul className="list-group">
            {list.data.emergencies.map((e) => (
              <li key={e.id} className="list-group-item">
                <Link to={`/emergenze/${e.id}`}>{e.headline}</Link>{' '}
                <span className="badge bg-secondary">{EMERGENCY_KIND[e.kind]}</span>{' '}
                <span className={`badge ${e.status === 'active' ? 'bg-danger' : 'bg-secondary'}`}>{EMERGENCY_STATUS[e.status]}</span>
                {e.bulletin ? <div className="small">{bulletinOrigin(e.bulletin)}</div> : null}
                <div className="small">
                  {formatDateTime(e.triggeredAt ?? e.createdAt)} · {e.acknowledgedAt ? `presa in carico da ${e.acknowledgedBy}` : 'non presa in carico'}
                </div>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
      {chosen ? <LaunchDialog template={chosen} onClose={() => setChosen(null)} /> : null}
    </>
  )
}
