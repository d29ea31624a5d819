import type { TimelineEntry, TimelineKind } from '@banditore/contracts'
import { sql, type Kysely } from 'kysely'
import type { WorkerDatabase } from '../worker-database.js'

/** One step of an alert's run; its key is unique per alert, so a retried activity records it once. */
export async function recordTimelineStep(
  db: Kysely<WorkerDatabase>,
  step: { alertId: string; key: string; kind: TimelineKind; actor: string; detail?: Record<string, unknown> },
): Promise<void> {
  await sql`
    insert into worker.emergency_timeline (alert_id, step_key, kind, actor, detail)
    values (${step.alertId}::uuid, ${step.key}, ${step.kind}, ${step.actor}, ${JSON.stringify(step.detail ?? {})}::jsonb)
    on conflict (alert_id, step_key) do nothing`.execute(db)
}

/** The run's state; closed stays closed, and the first acknowledgement is the one kept. */
export async function recordEmergencyRun(
  db: Kysely<WorkerDatabase>,
  input: { alertId: string; state: 'active' | 'closed'; acknowledgedBy?: string; acknowledgedAt?: string },
): Promise<void> {
  await sql`
    insert into worker.emergency_run as r (alert_id, state, acknowledged_by, acknowledged_at)
    values (${input.alertId}::uuid, ${input.state}, ${input.acknowledgedBy ?? null}, ${input.acknowledgedAt ?? null}::timestamptz)
    on conflict (alert_id) do update set
      state = case when r.state = 'closed' then r.state else excluded.state end,
      acknowledged_by = coalesce(r.acknowledged_by, excluded.acknowledged_by),
      acknowledged_at = coalesce(r.acknowledged_at, excluded.acknowledged_at),
      updated_at = now()`.execute(db)
}

export interface EmergencyRunView {
  state: 'active' | 'closed' | null
  acknowledgedBy: string | null
  acknowledgedAt: string | null
  entries: TimelineEntry[]
  /** The id of the alert's SMS fallback send, once started. */
  fallbackId: string | null
}

/** The alert's run as the worker recorded it: state, acknowledgement and timeline steps in order. */
export async function readEmergencyRun(db: Kysely<WorkerDatabase>, alertId: string): Promise<EmergencyRunView> {
  const run = await db.withSchema('worker').selectFrom('emergency_run').selectAll().where('alert_id', '=', alertId).executeTakeFirst()
  const steps = await db.withSchema('worker').selectFrom('emergency_timeline').selectAll().where('alert_id', '=', alertId).orderBy('at').orderBy('id').execute()
  const fallback = steps.find((s) => s.step_key === 'sms-fallback-started')?.detail.fallbackId
  return {
    state: run?.state ?? null,
    acknowledgedBy: run?.acknowledged_by ?? null,
    acknowledgedAt: run?.acknowledged_at ? new Date(run.acknowledged_at).toISOString() : null,
    entries: steps.map((s) => ({ at: new Date(s.at).toISOString(), kind: s.kind as TimelineKind, actor: s.actor, detail: s.detail })),
    fallbackId: typeof fallback === 'string' ? fallback : null,
  }
}
