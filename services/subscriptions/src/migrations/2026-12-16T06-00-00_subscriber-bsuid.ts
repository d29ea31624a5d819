import { sql, type Migration } from 'kysely'

// WhatsApp business-scoped user ids (issue #16): a citizen who adopted a username may write with
// no number, only their BSUID. A citizen known by number keeps their BSUID beside it, so a later
// username-only message finds the same subscriber; one known only by BSUID has it as `phone` (the
// address) and here. One BSUID is one citizen of a tenant.
export const subscriberBsuid: Migration = {
  async up(db) {
    await sql`alter table subscriptions.subscriber add column bsuid text`.execute(db)
    await sql`create unique index subscriber_bsuid on subscriptions.subscriber (tenant, bsuid) where bsuid is not null`.execute(db)
  },
  async down(db) {
    await sql`drop index subscriptions.subscriber_bsuid`.execute(db)
    await sql`alter table subscriptions.subscriber drop column bsuid`.execute(db)
  },
}
