import { sql, type Migration } from 'kysely'

// One staff identity: people signed in at the municipality's OpenID provider act like API tokens.
// Who drafted, approved, created or triggered is a principal id (an API token's id, or
// `person:<sub>` for a person), no longer always a token row; the audit's actor is the text that
// names the person (`Maria Rossi <maria.rossi@…>`, `token:<holder>`). API tokens may carry every
// staff role.
export const staffIdentity: Migration = {
  async up(db) {
    await sql`
      alter table broadcast.broadcast drop constraint if exists broadcast_created_by_fkey;
      alter table broadcast.broadcast drop constraint if exists broadcast_approved_by_fkey;
      alter table broadcast.broadcast alter column created_by type text, alter column approved_by type text;
      alter table broadcast.broadcast_audit drop constraint if exists broadcast_audit_actor_fkey;
      alter table broadcast.broadcast_audit alter column actor type text;
      alter table broadcast.emergency drop constraint if exists emergency_created_by_fkey;
      alter table broadcast.emergency drop constraint if exists emergency_triggered_by_fkey;
      alter table broadcast.emergency alter column created_by type text, alter column triggered_by type text;

      alter table broadcast.api_token alter column created_by type text;
      alter table broadcast.api_token drop constraint api_token_role_check;
      alter table broadcast.api_token add constraint api_token_role_check
        check (role in ('operator', 'approver', 'civil-protection', 'desk', 'privacy-officer', 'policy-editor', 'admin'));
    `.execute(db)
  },
}
