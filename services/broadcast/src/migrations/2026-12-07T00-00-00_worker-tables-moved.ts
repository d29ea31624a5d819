import { sql, type Migration } from 'kysely'

// The tables the worker writes (runs, send ledger, opt-out cache, sender rate limits, pair
// pacing, status feed) belong to the worker's own schema from now on (workflows/src/migrations):
// the worker moves them there with their rows when it finds them here, or creates them. What is
// still here once this runs is dropped; upgrading a deployment in place, start the new worker
// first so runs in flight keep their ledger. broadcast.emergency_timeline stays: it holds the
// staff API's own steps (created, triggered, approval skipped).
export const workerTablesMoved: Migration = {
  async up(db) {
    await sql`
      drop table if exists broadcast.status_feed, broadcast.recipient_pacing, broadcast.sender_rate_limit, broadcast.opt_out,
        broadcast.send_ledger, broadcast.broadcast_run;
      drop function if exists broadcast.ledger_rank(text);
    `.execute(db)
  },
}
