import { sql, type Kysely, type Migration } from 'kysely'

/** A run's history may say it halted because WhatsApp refused the broadcast's template. */
export const runEventHalted: Migration = {
  async up(db: Kysely<unknown>) {
    await sql`alter table worker.broadcast_run_event drop constraint broadcast_run_event_kind_check`.execute(db)
    await sql`
      alter table worker.broadcast_run_event add constraint broadcast_run_event_kind_check
      check (kind in ('interrupted', 'ambiguous', 'resent', 'unresolved', 'halted', 'finished'))
    `.execute(db)
  },
  async down(db: Kysely<unknown>) {
    await sql`alter table worker.broadcast_run_event drop constraint broadcast_run_event_kind_check`.execute(db)
    await sql`
      alter table worker.broadcast_run_event add constraint broadcast_run_event_kind_check
      check (kind in ('interrupted', 'ambiguous', 'resent', 'unresolved', 'finished'))
    `.execute(db)
  },
}
