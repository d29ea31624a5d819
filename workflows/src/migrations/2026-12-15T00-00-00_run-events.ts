import { sql, type Migration } from 'kysely'

// What staff must be told about a run beside its counts: interruptions, sends whose outcome was
// unknown (ambiguous), the ones resent after the reconcile rule proved nothing was sent, and the
// ones given up. The ledger marks the ambiguous rows; the events are the run's own history, shown
// in the broadcast's progress and audit trail.
export const runEvents: Migration = {
  async up(db) {
    await sql`
      alter table worker.send_ledger
        add column ambiguous_at timestamptz,
        add column ambiguity_reported boolean not null default false
    `.execute(db)
    // Progress counts the ambiguous rows at every poll: a partial index keeps that to the few.
    await sql`create index send_ledger_ambiguous on worker.send_ledger (broadcast_id) where ambiguous_at is not null`.execute(db)
    await sql`
      create table worker.broadcast_run_event (
        id bigserial primary key,
        broadcast_id uuid not null,
        tenant text not null,
        at timestamptz not null default now(),
        kind text not null check (kind in ('interrupted', 'ambiguous', 'resent', 'unresolved', 'finished')),
        count integer not null default 0 check (count >= 0),
        detail jsonb not null default '{}'
      )
    `.execute(db)
    await sql`create index broadcast_run_event_broadcast on worker.broadcast_run_event (broadcast_id, id)`.execute(db)
    // A run's history only grows, like the staff's audit trail.
    await sql`
      create function worker.run_event_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end
      $$;
      create trigger broadcast_run_event_append_only before update or delete on worker.broadcast_run_event
        for each row execute function worker.run_event_append_only();
      create trigger broadcast_run_event_no_truncate before truncate on worker.broadcast_run_event
        for each statement execute function worker.run_event_append_only();
    `.execute(db)
  },
  async down(db) {
    await sql`drop table worker.broadcast_run_event`.execute(db)
    await sql`drop function worker.run_event_append_only()`.execute(db)
    await sql`alter table worker.send_ledger drop column ambiguous_at, drop column ambiguity_reported`.execute(db)
  },
}
