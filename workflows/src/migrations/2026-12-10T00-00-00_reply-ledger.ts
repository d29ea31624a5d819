import { sql, type Migration } from 'kysely'

// The reply path's ledger: replies are sent by the worker's reply sender (a JetStream consumer)
// instead of one Temporal workflow each, and this row per reply is what makes a redelivered
// command a no-op. States: pending (certainly not sent) → sending → accepted | failed.
export const replyLedger: Migration = {
  async up(db) {
    await sql`
      create table worker.reply_ledger (
        tenant text not null,
        reply_id text not null,
        channel text not null check (channel in ('whatsapp', 'sms')),
        state text not null check (state in ('pending', 'sending', 'accepted', 'failed')),
        attempts smallint not null default 0,
        provider_message_id text,
        reason text,
        sending_at timestamptz,
        accepted_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        primary key (tenant, reply_id)
      )
    `.execute(db)
  },
  async down(db) {
    await sql`drop table worker.reply_ledger`.execute(db)
  },
}
