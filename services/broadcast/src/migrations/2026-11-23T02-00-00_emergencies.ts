import { sql, type Migration } from 'kysely'

// Emergency alerts: the staff API writes the alert (draft, trigger, approval skip); the worker's
// emergency activities write its state and timeline steps. Citizens' and officials' messages go
// through broadcast.send_ledger like any broadcast's.
export const emergencies: Migration = {
  async up(db) {
    await sql`
      alter table broadcast.api_token drop constraint api_token_role_check;
      alter table broadcast.api_token add constraint api_token_role_check
        check (role in ('operator', 'approver', 'admin', 'civil-protection'));

      create table broadcast.emergency (
        id uuid primary key,
        tenant text not null,
        kind text not null check (kind in ('alert', 'update', 'cancel')),
        -- The alert an update or all-clear follows (same tenant).
        references_id uuid references broadcast.emergency (id),
        status text not null check (status in ('draft', 'active', 'closed')),
        message jsonb not null,
        source text not null check (source in ('manual', 'cap')),
        -- CAP identity (sender, identifier, sent) when made from a CAP document.
        cap jsonb,
        created_by uuid not null references broadcast.api_token (id),
        created_at timestamptz not null default now(),
        triggered_by uuid references broadcast.api_token (id),
        triggered_at timestamptz,
        -- Four-eyes approval is skipped for emergencies: who skipped it and why.
        approval_skip_reason text,
        acknowledged_by text,
        acknowledged_at timestamptz,
        updated_at timestamptz not null default now(),
        check (kind = 'alert' or references_id is not null),
        check (status = 'draft' or (triggered_by is not null and approval_skip_reason is not null))
      );
      create index emergency_history on broadcast.emergency (tenant, created_at desc, id);
      create index emergency_follow_ups on broadcast.emergency (references_id) where references_id is not null;

      create table broadcast.emergency_timeline (
        id bigserial primary key,
        emergency_id uuid not null references broadcast.emergency (id),
        -- One step once, however often a retried activity records it.
        step_key text not null,
        kind text not null,
        actor text not null,
        detail jsonb not null default '{}',
        at timestamptz not null default clock_timestamp(),
        unique (emergency_id, step_key)
      );
    `.execute(db)
  },
}
