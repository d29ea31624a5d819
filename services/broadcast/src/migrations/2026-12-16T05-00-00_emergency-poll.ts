import { sql, type Migration } from 'kysely'

// An alert may ask a safety poll ("1 Sto bene / 2 Ho bisogno di aiuto"): what staff asked for
// (reminder delay, how long it stays open) is kept with the alert; the answers live in
// subscriptions, which reads the citizens' messages.
export const emergencyPoll: Migration = {
  async up(db) {
    await sql`alter table broadcast.emergency add column poll jsonb`.execute(db)
  },
  async down(db) {
    await sql`alter table broadcast.emergency drop column poll`.execute(db)
  },
}
