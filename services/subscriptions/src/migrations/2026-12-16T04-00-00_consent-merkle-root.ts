import { sql, type Migration } from 'kysely'

// Each day root also records the RFC 6962 Merkle root over that day's consent records (their
// hashes in chain order), so a citizen's export can prove one receipt with an audit path instead
// of the whole ledger. Lowercase hex. Roots written before this stay null: the table is
// append-only and a root is never rewritten.
export const consentMerkleRoot: Migration = {
  async up(db) {
    await sql`alter table subscriptions.consent_chain_root add column merkle_root text`.execute(db)
  },
  async down(db) {
    await sql`alter table subscriptions.consent_chain_root drop column merkle_root`.execute(db)
  },
}
