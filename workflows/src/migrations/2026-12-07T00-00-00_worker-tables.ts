import { sql, type Migration } from 'kysely'

// The worker's tables in its own schema (created by migrateToLatest before this runs). Until this
// migration they lived in the `broadcast` schema, migrated by services/broadcast: where they still
// exist (a deployment upgraded in place) they are moved here with their rows, so runs in flight
// keep their ledger; on a fresh database they are created. services/broadcast drops what is left
// of them (its 2026-12-07T00-00-00_worker-tables-moved) only if they are still there.
const MOVED = ['broadcast_run', 'send_ledger', 'opt_out', 'sender_rate_limit', 'recipient_pacing', 'status_feed'] as const

export const workerTables: Migration = {
  async up(db) {
    for (const table of MOVED) {
      const { rows } = await sql<{ old: string | null; moved: string | null }>`
        select to_regclass(${`broadcast.${table}`})::text as old, to_regclass(${`worker.${table}`})::text as moved`.execute(db)
      if (rows[0]?.old && !rows[0].moved) await sql`alter table ${sql.table(`broadcast.${table}`)} set schema worker`.execute(db)
    }
    await sql`
      -- Where each broadcast's run stands (the staff API asks over worker.broadcast.runs).
      create table if not exists worker.broadcast_run (
        broadcast_id uuid primary key,
        tenant text not null,
        state text not null check (state in ('scheduled', 'sending', 'paused', 'completed', 'cancelled')),
        total integer,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        updated_at timestamptz not null default now()
      );

      -- Forward-only order of a recipient's states; 'skipped' is final and never reached by a status.
      create or replace function worker.ledger_rank(state text) returns smallint
        language sql immutable parallel safe
        return case state
          when 'pending' then 0 when 'sending' then 1 when 'accepted' then 2 when 'sent' then 3
          when 'failed' then 4 when 'delivered' then 5 when 'read' then 6 when 'skipped' then 7 end;

      -- One row per recipient of a send (a broadcast, an emergency's citizens, fallback or notice).
      create table if not exists worker.send_ledger (
        id bigint generated always as identity primary key,
        broadcast_id uuid not null,
        tenant text not null,
        subscriber_id text not null,
        phone text not null,
        channel text not null check (channel in ('whatsapp', 'sms')),
        language text not null,
        state text not null default 'pending'
          check (state in ('pending', 'sending', 'accepted', 'sent', 'delivered', 'read', 'failed', 'skipped')),
        attempts smallint not null default 0,
        -- Resends decided after an ambiguous send found no status within the reconcile window.
        ambiguous_resends smallint not null default 0,
        provider_message_id text,
        reason text,
        sending_at timestamptz,
        accepted_at timestamptz,
        updated_at timestamptz not null default now(),
        -- One citizen, one message per send, whatever the snapshot holds.
        unique (broadcast_id, phone)
      );
      create index if not exists send_ledger_state on worker.send_ledger (broadcast_id, state);

      -- A cache of the opt-outs seen on subscription.changed.*, checked before each batch. The
      -- subscriptions service owns opt-outs; this only catches those that arrive mid-broadcast.
      create table if not exists worker.opt_out (
        tenant text not null,
        subscriber_id text not null,
        phone text not null,
        opted_out boolean not null,
        change text not null,
        occurred_at timestamptz not null,
        primary key (tenant, subscriber_id)
      );
      create index if not exists opt_out_phone on worker.opt_out (tenant, phone) where opted_out;

      -- One row per sender number: the shared schedule (GCRA) every worker leases slots from,
      -- for broadcasts, emergencies and replies alike.
      create table if not exists worker.sender_rate_limit (
        sender_key text primary key,
        rate_per_second double precision not null,
        next_free_at timestamptz not null,
        rate_factor double precision not null default 1,
        throttled_at timestamptz,
        emergency_until timestamptz,
        updated_at timestamptz not null default now()
      );

      -- Per (sender, recipient) pair: when the next message may go (WhatsApp 131056).
      create table if not exists worker.recipient_pacing (
        sender_key text not null,
        phone text not null,
        next_at timestamptz not null,
        primary key (sender_key, phone)
      );

      -- How far the delivery-status feed has been applied: the reconcile rule reads it.
      create table if not exists worker.status_feed (
        name text primary key,
        caught_up_at timestamptz not null,
        updated_at timestamptz not null default now()
      );

      -- Where an emergency alert's run stands (the alert itself is the staff API's).
      create table if not exists worker.emergency_run (
        alert_id uuid primary key,
        state text not null check (state in ('active', 'closed')),
        acknowledged_by text,
        acknowledged_at timestamptz,
        updated_at timestamptz not null default now()
      );

      -- The steps of an alert's run; one row per step key, so a retried activity records once.
      create table if not exists worker.emergency_timeline (
        id bigserial primary key,
        alert_id uuid not null,
        step_key text not null,
        kind text not null,
        actor text not null,
        detail jsonb not null default '{}',
        at timestamptz not null default clock_timestamp(),
        unique (alert_id, step_key)
      );
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table worker.emergency_timeline, worker.emergency_run, worker.status_feed, worker.recipient_pacing,
        worker.sender_rate_limit, worker.opt_out, worker.send_ledger, worker.broadcast_run;
      drop function worker.ledger_rank(text);
    `.execute(db)
  },
}
