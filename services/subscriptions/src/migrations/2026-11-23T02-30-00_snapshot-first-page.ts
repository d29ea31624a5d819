import { sql, type Migration } from 'kysely'

// A snapshot's first page is answered before the whole audience is written down: `complete`
// says whether the members past the first page are there yet.
export const snapshotFirstPage: Migration = {
  async up(db) {
    await sql`alter table subscriptions.audience_snapshot add column complete boolean not null default true`.execute(db)
  },
}
