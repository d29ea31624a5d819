import { sql, type Migration } from 'kysely'

// The WhatsApp template registry: each tenant's templates as Meta holds them (status, category,
// quality), replaced as a whole by each successful read; a failed read only updates the sync row.
export const whatsappTemplates: Migration = {
  async up(db) {
    await sql`
      create table broadcast.whatsapp_template (
        tenant text not null,
        name text not null,
        language text not null,
        status text not null,
        category text not null,
        quality_rating text not null check (quality_rating in ('GREEN', 'YELLOW', 'RED', 'UNKNOWN')),
        body text not null,
        parameter_count integer not null check (parameter_count >= 0),
        synced_at timestamptz not null,
        primary key (tenant, name, language)
      );
      create table broadcast.whatsapp_template_sync (
        tenant text primary key,
        synced_at timestamptz,
        attempted_at timestamptz not null,
        error text
      );
    `.execute(db)
  },
  async down(db) {
    await sql`
      drop table if exists broadcast.whatsapp_template_sync;
      drop table if exists broadcast.whatsapp_template;
    `.execute(db)
  },
}
