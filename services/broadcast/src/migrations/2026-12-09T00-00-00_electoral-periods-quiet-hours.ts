import { sql, type Migration } from 'kysely'

// The pre-election guard (Legge 28/2000, art. 9) and quiet hours. Electoral periods are the
// tenant's calendar, set by staff; during one, approving a broadcast records a statement of why it
// is impersonal and indispensable (on the broadcast and in the audit trail). Quiet hours: a row
// per tenant that changed them; a tenant without one has the default (21:00-08:00, enabled).
export const electoralPeriodsQuietHours: Migration = {
  async up(db) {
    await sql`
      create table broadcast.electoral_period (
        id uuid primary key,
        tenant text not null,
        kind text not null check (kind in ('national', 'regional', 'european', 'municipal', 'referendum')),
        name text not null,
        starts_at timestamptz not null,
        ends_at timestamptz not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (ends_at > starts_at)
      );
      create index electoral_period_by_tenant on broadcast.electoral_period (tenant, starts_at);

      create table broadcast.quiet_hours (
        tenant text primary key,
        enabled boolean not null,
        starts text not null check (starts ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        ends text not null check (ends ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'),
        updated_by text not null,
        updated_at timestamptz not null default now()
      );

      alter table broadcast.broadcast add column approval_statement jsonb;
    `.execute(db)
  },
}
