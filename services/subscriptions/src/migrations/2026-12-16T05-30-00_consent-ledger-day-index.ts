import { sql, type Migration } from 'kysely'

// A day's Merkle root and a receipt's audit path read one tenant's chained records of one day
// (`recorded_at` in a range): without this index each read scanned the tenant's whole ledger.
export const consentLedgerDayIndex: Migration = {
  async up(db) {
    await sql`create index consent_ledger_chained_day on subscriptions.consent_ledger (tenant, recorded_at) where chain_seq is not null`.execute(db)
  },
  async down(db) {
    await sql`drop index subscriptions.consent_ledger_chained_day`.execute(db)
  },
}
