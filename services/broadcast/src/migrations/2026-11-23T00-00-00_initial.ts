import { sql, type Migration } from 'kysely'

// Raw SQL: checks, partial indexes and the rank function read best as SQL. Tables are qualified
// with the schema (SCHEMA in index.ts).
export const initialSchema: Migration = {
  async up(db) {
    await sql`
      create table broadcast.api_token (
        id uuid primary key,
        tenant text,
        role text not null check (role in ('operator', 'approver', 'admin')),
        holder text not null,
        label text not null,
        -- SHA-256 of the secret, hex: tokens are 256-bit random, so a slow hash adds nothing.
        token_hash text not null unique,
        created_by uuid,
        created_at timestamptz not null default now(),
        revoked_at timestamptz,
        check (tenant is not null or role = 'admin')
      );

      create table broadcast.broadcast (
        id uuid primary key,
        tenant text not null,
        status text not null check (status in ('draft', 'approved', 'dispatched', 'cancelled')),
        draft jsonb not null,
        outbound_check jsonb not null,
        created_by uuid not null references broadcast.api_token (id),
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        approved_by uuid references broadcast.api_token (id),
        approved_at timestamptz,
        send_at timestamptz,
        dispatched_at timestamptz,
        cancelled_at timestamptz
      );
      create index broadcast_history on broadcast.broadcast (tenant, created_at desc, id);

      create table broadcast.broadcast_audit (
        id bigserial primary key,
        broadcast_id uuid not null references broadcast.broadcast (id),
        tenant text not null,
        action text not null,
        actor uuid not null references broadcast.api_token (id),
        holder text not null,
        role text not null,
        detail jsonb not null default '{}',
        at timestamptz not null default now()
      );
      create index broadcast_audit_of on broadcast.broadcast_audit (broadcast_id, id);

      -- Written by the worker: where each broadcast's run stands.
      create table broadcast.broadcast_run (
        broadcast_id uuid primary key,
        tenant text not null,
        state text not null check (state in ('scheduled', 'sending', 'paused', 'completed', 'cancelled')),
        total integer,
        started_at timestamptz not null default now(),
        finished_at timestamptz,
        updated_at timestamptz not null default now()
      );

      -- Forward-only order of a recipient's states; 'skipped' is final and never reached by a status.
      create function broadcast.ledger_rank(state text) returns smallint
        language sql immutable parallel safe
        return case state
          when 'pending' then 0 when 'sending' then 1 when 'accepted' then 2 when 'sent' then 3
          when 'failed' then 4 when 'delivered' then 5 when 'read' then 6 when 'skipped' then 7 end;

      -- One row per recipient of a broadcast: the send ledger.
      create table broadcast.send_ledger (
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
        -- One citizen, one message per broadcast, whatever the snapshot holds.
        unique (broadcast_id, phone)
      );
      create index send_ledger_state on broadcast.send_ledger (broadcast_id, state);

      -- The opt-outs seen on subscription.changed.*, checked before each batch.
      create table broadcast.opt_out (
        tenant text not null,
        subscriber_id text not null,
        phone text not null,
        opted_out boolean not null,
        change text not null,
        occurred_at timestamptz not null,
        primary key (tenant, subscriber_id)
      );
      create index opt_out_phone on broadcast.opt_out (tenant, phone) where opted_out;

      -- One row per sender number: the shared schedule (GCRA) every worker leases slots from.
      create table broadcast.sender_rate_limit (
        sender_key text primary key,
        rate_per_second double precision not null,
        -- The sender's schedule: the next free send time (theoretical arrival time).
        next_free_at timestamptz not null,
        -- Lowered on throttling, recovered over time; 1 means the configured rate.
        rate_factor double precision not null default 1,
        throttled_at timestamptz,
        -- While in the future, routine leases wait: an emergency is sending.
        emergency_until timestamptz,
        updated_at timestamptz not null default now()
      );

      -- Per (sender, recipient) pair: when the next message may go (WhatsApp 131056).
      create table broadcast.recipient_pacing (
        sender_key text not null,
        phone text not null,
        next_at timestamptz not null,
        primary key (sender_key, phone)
      );

      -- How far the delivery-status feed has been applied: the reconcile rule reads it.
      create table broadcast.status_feed (
        name text primary key,
        caught_up_at timestamptz not null,
        updated_at timestamptz not null default now()
      );
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table broadcast.status_feed, broadcast.recipient_pacing, broadcast.sender_rate_limit, broadcast.opt_out,
        broadcast.send_ledger, broadcast.broadcast_run, broadcast.broadcast_audit, broadcast.broadcast, broadcast.api_token;
      drop function broadcast.ledger_rank(text);
    `.execute(db)
  },
}
