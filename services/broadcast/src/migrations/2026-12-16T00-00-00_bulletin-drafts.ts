import { sql, type Migration } from 'kysely'

// Drafts from the DPC criticality bulletin. Each reading (a bulletin, a tenant's zone, a day) is
// kept once; a draft is made once per tenant, zone, day and colour: the unique key, not a lock in
// one process, is what stops two replicas (or today's and yesterday's "tomorrow") drafting twice.
export const bulletinDrafts: Migration = {
  async up(db) {
    await sql`
      alter table broadcast.emergency drop constraint if exists emergency_source_check;
      alter table broadcast.emergency add constraint emergency_source_check check (source in ('manual', 'cap', 'bulletin'));
      alter table broadcast.emergency add column bulletin jsonb;

      create table broadcast.bulletin_reading (
        tenant text not null,
        -- The bulletin's stamp as the DPC files name it (20261207_1530).
        bulletin_id text not null,
        bulletin_name text not null,
        day date not null,
        zone text not null,
        colour text not null check (colour in ('green', 'yellow', 'orange', 'red')),
        criticality text not null,
        read_at timestamptz not null default now(),
        primary key (tenant, bulletin_id, day)
      );
      create index bulletin_reading_latest on broadcast.bulletin_reading (tenant, read_at desc);

      create table broadcast.bulletin_draft (
        tenant text not null,
        zone text not null,
        day date not null,
        colour text not null check (colour in ('orange', 'red')),
        bulletin_id text not null,
        emergency_id uuid not null references broadcast.emergency (id),
        created_at timestamptz not null default now(),
        notified_at timestamptz,
        primary key (tenant, zone, day, colour)
      );

      create table broadcast.bulletin_check (
        id bigserial primary key,
        checked_at timestamptz not null default now(),
        ok boolean not null,
        error text,
        bulletins jsonb not null default '[]',
        drafts jsonb not null default '[]'
      );
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table if exists broadcast.bulletin_check;
      drop table if exists broadcast.bulletin_draft;
      drop table if exists broadcast.bulletin_reading;
      alter table broadcast.emergency drop column if exists bulletin;
    `.execute(db)
  },
}
