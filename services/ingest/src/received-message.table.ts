import type { Generated } from 'kysely'

/**
 * One row per canonical message id ingest has durably published (`whatsapp-cloud:<wamid>`,
 * `sms-gateway:<sid>:<state>`, `web-form:...`): the memory that drops a provider's redelivery
 * after JetStream's duplicate window has passed. Rows are written only after JetStream
 * acknowledged the message, so a row always means "stored".
 */
export interface ReceivedMessageTable {
  id: string
  first_seen_at: Generated<Date>
}
