import { sql, type Migration } from 'kysely'

// The staff console's subscribers and privacy screens and the import of existing lists:
// - subscribers are found by the keyed hash of their number (an index for it) or by name;
// - every staff action on a citizen lands in `staff_audit`, naming the person;
// - an imported consent is its own kind of ledger event (`consent-imported`, door `import`),
//   never a keyword consent; an import's confirmation request waits as any form sign-up does;
// - imports are stored with their rows and progress, so a run resumes where it stopped.
export const subscribersConsole: Migration = {
  async up(db) {
    await sql`
      create index if not exists subscriber_phone_hash on subscriptions.subscriber (tenant, phone_hash);
      create index if not exists subscriber_name on subscriptions.subscriber (tenant, lower(name));

      alter table subscriptions.consent_ledger drop constraint if exists consent_ledger_event_check;
      alter table subscriptions.consent_ledger add constraint consent_ledger_event_check
        check (event in ('signup-requested', 'subscribed', 'unsubscribed', 'consent-imported'));
      alter table subscriptions.consent_ledger drop constraint if exists consent_ledger_door_check;
      alter table subscriptions.consent_ledger add constraint consent_ledger_door_check
        check (door in ('whatsapp', 'sms', 'web', 'paper', 'staff', 'provider', 'import'));
      alter table subscriptions.pending_confirmation drop constraint if exists pending_confirmation_door_check;
      alter table subscriptions.pending_confirmation add constraint pending_confirmation_door_check
        check (door in ('web', 'paper', 'import'));

      create table subscriptions.staff_audit (
        id bigserial primary key,
        tenant text not null,
        actor text not null,
        action text not null,
        subscriber_id uuid,
        phone_hash text,
        detail jsonb not null default '{}',
        occurred_at timestamptz not null
      );
      create index staff_audit_tenant on subscriptions.staff_audit (tenant, id);
      create index staff_audit_subject on subscriptions.staff_audit (tenant, phone_hash, id);

      create table subscriptions.subscriber_import (
        id text primary key,
        tenant text not null,
        file_name text,
        file_sha256 text not null,
        status text not null check (status in ('previewed', 'running', 'completed')),
        mode text check (mode in ('confirmation', 'imported-consent')),
        evidence jsonb,
        total_rows integer not null,
        valid_rows integer not null,
        error_rows integer not null,
        summary jsonb not null,
        processed_line integer not null default 0,
        subscribed integer not null default 0,
        confirmations_requested integer not null default 0,
        skipped integer not null default 0,
        created_by text not null,
        created_at timestamptz not null,
        started_by text,
        started_at timestamptz,
        completed_at timestamptz,
        updated_at timestamptz not null
      );
      create index subscriber_import_tenant on subscriptions.subscriber_import (tenant, created_at);

      create table subscriptions.subscriber_import_row (
        import_id text not null references subscriptions.subscriber_import on delete cascade,
        line integer not null,
        tenant text not null,
        raw_phone text not null,
        phone text,
        name text,
        channel text,
        language text,
        topics text[],
        error text,
        outcome text,
        primary key (import_id, line)
      );
      create index subscriber_import_row_phone on subscriptions.subscriber_import_row (tenant, phone);
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table if exists subscriptions.subscriber_import_row, subscriptions.subscriber_import, subscriptions.staff_audit;
      drop index if exists subscriptions.subscriber_phone_hash;
      drop index if exists subscriptions.subscriber_name;
    `.execute(db)
  },
}
