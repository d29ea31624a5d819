import { sql, type Migration } from 'kysely'

// Recurring broadcasts: a series approved once (four eyes) sends at each time of its recurrence
// through a Temporal Schedule. An occurrence row exists once staff skip or edit it, or once the
// worker asked for it: its (series, time) key makes the broadcast it became unique, so a
// repeated request never makes a second one. The series' audit trail only grows, like the
// broadcasts' (the same append-only trigger function).
export const recurringBroadcasts: Migration = {
  async up(db) {
    await sql`
      create table broadcast.recurring_broadcast (
        id uuid primary key,
        tenant text not null,
        status text not null check (status in ('draft', 'active', 'cancelled')),
        draft jsonb not null,
        outbound_check jsonb not null,
        recurrence jsonb not null,
        time_zone text not null,
        ends_at timestamptz not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        approved_by text,
        approved_at timestamptz,
        approval_statement jsonb,
        cancelled_at timestamptz
      );
      create index recurring_broadcast_by_tenant on broadcast.recurring_broadcast (tenant, created_at desc);

      create table broadcast.recurring_occurrence (
        series_id uuid not null references broadcast.recurring_broadcast (id),
        scheduled_at timestamptz not null,
        skipped_by text,
        skip_reason text,
        -- An edited occurrence's own content, its check, who edited it and who approved the edit.
        draft jsonb,
        outbound_check jsonb,
        edited_by text,
        edited_holder text,
        edit_approved_by text,
        -- The ordinary broadcast the occurrence became (once), or why it was not sent.
        broadcast_id uuid unique references broadcast.broadcast (id),
        refused_reason text,
        updated_at timestamptz not null default now(),
        primary key (series_id, scheduled_at)
      );

      create table broadcast.recurring_audit (
        id bigserial primary key,
        series_id uuid not null references broadcast.recurring_broadcast (id),
        tenant text not null,
        action text not null,
        actor text not null,
        holder text not null,
        role text not null,
        detail jsonb not null default '{}',
        at timestamptz not null default now()
      );
      create index recurring_audit_of on broadcast.recurring_audit (series_id, id);
      create trigger recurring_audit_append_only before update or delete on broadcast.recurring_audit
        for each row execute function broadcast.audit_append_only();
      create trigger recurring_audit_no_truncate before truncate on broadcast.recurring_audit
        for each statement execute function broadcast.audit_append_only();
    `.execute(db)
  },
  async down(db) {
    await sql`drop table if exists broadcast.recurring_audit, broadcast.recurring_occurrence, broadcast.recurring_broadcast`.execute(db)
  },
}
