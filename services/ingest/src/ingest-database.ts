import type { ReceivedMessageTable } from './received-message.table.js'

/** The tables of ingest's schema, for Kysely. */
export interface IngestDatabase {
  received_message: ReceivedMessageTable
}
