import { sql, type Migration } from 'kysely'

// The daily root of each tenant's consent chain: the chain's head (last sequence number and
// hash) at the end of each day (Europe/Rome) on which it grew, for the municipality to register
// in its protocol. Once a root is registered outside, no record up to it can be changed without
// the change showing. Append-only, as the audit trails.
export const consentChainRoots: Migration = {
  async up(db) {
    await sql`
      create table subscriptions.consent_chain_root (
        tenant text not null,
        day date not null,
        head_seq bigint not null,
        head_hash text not null,
        records integer not null,
        recorded_at timestamptz not null default now(),
        primary key (tenant, day)
      );
      create trigger consent_chain_root_append_only before update or delete on subscriptions.consent_chain_root
        for each row execute function subscriptions.audit_append_only();
      create trigger consent_chain_root_no_truncate before truncate on subscriptions.consent_chain_root
        for each statement execute function subscriptions.audit_append_only();
    `.execute(db)
  },
  async down(db) {
    await sql`drop table subscriptions.consent_chain_root`.execute(db)
  },
}
