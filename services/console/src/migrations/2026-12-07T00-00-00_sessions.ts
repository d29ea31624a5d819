import { sql, type Migration } from 'kysely'

// Sessions shared by every console replica. Tokens are sealed (AES-256-GCM, key derived from
// SESSION_SECRET) and bound to the row's id; the id is a keyed hash of the cookie's value.
export const sessions: Migration = {
  async up(db) {
    await sql`
      create table console.sessions (
        id text primary key,
        subject text not null,
        name text not null,
        email text,
        -- [{ "tenant": "corbetta", "role": "operator" }], from the provider's role claim
        grants jsonb not null,
        access_token text not null,
        access_token_expires_at timestamptz,
        refresh_token text,
        id_token text,
        csrf_token text not null,
        created_at timestamptz not null default now(),
        last_seen_at timestamptz not null default now(),
        idle_expires_at timestamptz not null
      );
      create index sessions_idle_expiry on console.sessions (idle_expires_at);
      create index sessions_of_subject on console.sessions (subject);
    `.execute(db)
  },
  async down(db) {
    await sql`drop table console.sessions`.execute(db)
  },
}
