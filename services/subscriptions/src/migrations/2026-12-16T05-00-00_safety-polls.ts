import { sql, type Migration } from 'kysely'

// Safety polls: an emergency alert asks "1 Sto bene / 2 Ho bisogno di aiuto". The worker opens
// and closes each poll here (its id is the alert's); a citizen's answer is kept once per poll
// (the latest wins, `answers` counts them), and a help request goes to the desk as an urgent
// message, ahead of every other conversation.
export const safetyPolls: Migration = {
  async up(db) {
    await sql`
      create table subscriptions.safety_poll (
        tenant text not null,
        poll_id uuid not null,
        opened_at timestamptz not null,
        closes_at timestamptz not null,
        closed_at timestamptz,
        primary key (tenant, poll_id)
      )`.execute(db)
    await sql`create index safety_poll_open on subscriptions.safety_poll (tenant, opened_at desc) where closed_at is null`.execute(db)
    await sql`
      create table subscriptions.safety_poll_answer (
        tenant text not null,
        poll_id uuid not null,
        subscriber_id uuid not null references subscriptions.subscriber (id) on delete cascade,
        answer text not null check (answer in ('ok', 'help')),
        first_answered_at timestamptz not null,
        answered_at timestamptz not null,
        answers integer not null default 1,
        channel text not null,
        primary key (tenant, poll_id, subscriber_id),
        foreign key (tenant, poll_id) references subscriptions.safety_poll (tenant, poll_id)
      )`.execute(db)
    await sql`alter table subscriptions.desk_message add column urgent boolean not null default false`.execute(db)
  },
  async down(db) {
    await sql`alter table subscriptions.desk_message drop column urgent`.execute(db)
    await sql`drop table subscriptions.safety_poll_answer`.execute(db)
    await sql`drop table subscriptions.safety_poll`.execute(db)
  },
}
