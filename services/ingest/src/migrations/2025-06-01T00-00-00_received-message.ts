import { sql, type Kysely } from 'kysely'

// Kysely runs migrations against `db.withSchema('ingest')`, so unqualified names land there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('received_message')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute()
  // The retention job deletes by age.
  await db.schema.createIndex('received_message_first_seen_at_idx').on('received_message').column('first_seen_at').execute()
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('received_message').execute()
}
