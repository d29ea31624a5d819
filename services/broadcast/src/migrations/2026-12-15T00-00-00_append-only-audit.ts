import { sql, type Migration } from 'kysely'

// Staff actions on broadcasts (drafted, approved, sent, paused, cancelled...) and the staff's own
// steps of an emergency (triggered, acknowledged, closed) only grow: an UPDATE, DELETE or
// TRUNCATE is refused by the database, whatever the application asks.
export const appendOnlyAudit: Migration = {
  async up(db) {
    await sql`
      create function broadcast.audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001';
      end
      $$;
      create trigger broadcast_audit_append_only before update or delete on broadcast.broadcast_audit
        for each row execute function broadcast.audit_append_only();
      create trigger broadcast_audit_no_truncate before truncate on broadcast.broadcast_audit
        for each statement execute function broadcast.audit_append_only();
      create trigger emergency_timeline_append_only before update or delete on broadcast.emergency_timeline
        for each row execute function broadcast.audit_append_only();
      create trigger emergency_timeline_no_truncate before truncate on broadcast.emergency_timeline
        for each statement execute function broadcast.audit_append_only();
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop trigger if exists broadcast_audit_append_only on broadcast.broadcast_audit;
      drop trigger if exists broadcast_audit_no_truncate on broadcast.broadcast_audit;
      drop trigger if exists emergency_timeline_append_only on broadcast.emergency_timeline;
      drop trigger if exists emergency_timeline_no_truncate on broadcast.emergency_timeline;
      drop function if exists broadcast.audit_append_only();
    `.execute(db)
  },
}
