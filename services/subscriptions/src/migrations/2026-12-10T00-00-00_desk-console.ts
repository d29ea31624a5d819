import { sql, type Migration } from 'kysely'

// The desk in the console: conversations (assignment), answers by conversation (free text or an
// approved template), extraordinary closures and openings on top of the weekly hours, canned
// answers, the desk's audit trail, and a per-tenant revision the live stream follows.
export const deskConsole: Migration = {
  async up(db) {
    await sql`
      create table subscriptions.desk_conversation (
        tenant text not null,
        subscriber_id uuid not null references subscriptions.subscriber (id) on delete cascade,
        assigned_to text,
        assigned_at timestamptz,
        updated_at timestamptz not null,
        primary key (tenant, subscriber_id)
      );

      create table subscriptions.desk_answer (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        subscriber_id uuid not null references subscriptions.subscriber (id) on delete cascade,
        reply_id text not null unique,
        channel text not null check (channel in ('whatsapp', 'sms')),
        text text not null,
        template jsonb,
        sent_by text not null,
        sent_at timestamptz not null
      );
      create index desk_answer_conversation on subscriptions.desk_answer (tenant, subscriber_id, sent_at);

      create table subscriptions.desk_office_override (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        kind text not null check (kind in ('closed', 'open')),
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        reason text not null,
        created_by text not null,
        created_at timestamptz not null,
        check (ends_at > starts_at)
      );
      create index desk_office_override_span on subscriptions.desk_office_override (tenant, ends_at);

      create table subscriptions.desk_canned_answer (
        id uuid primary key default gen_random_uuid(),
        tenant text not null,
        title text not null,
        text text not null,
        updated_by text not null,
        updated_at timestamptz not null
      );
      create index desk_canned_answer_tenant on subscriptions.desk_canned_answer (tenant, title);

      create table subscriptions.desk_audit (
        id bigserial primary key,
        tenant text not null,
        actor text not null,
        action text not null,
        subscriber_id uuid,
        detail jsonb not null default '{}',
        occurred_at timestamptz not null
      );
      create index desk_audit_tenant on subscriptions.desk_audit (tenant, occurred_at);

      create table subscriptions.desk_revision (
        tenant text primary key,
        revision bigint not null,
        changed_at timestamptz not null
      );
    `.execute(db)
  },
}
