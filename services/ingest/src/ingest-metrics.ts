import { Counter, Registry } from 'prom-client'

/** Ingest's own Prometheus series, on the registry the service server exposes at /metrics. */
export interface IngestMetrics {
  readonly registry: Registry
  /** Requests per door and outcome (accepted, duplicate, unauthorized, invalid, unavailable...). */
  readonly requests: Counter<'door' | 'outcome'>
  /** Canonical messages JetStream stored, per kind (message, status, unrouted). */
  readonly published: Counter<'kind'>
  /** Redeliveries dropped: by the PostgreSQL ledger or by JetStream's duplicate window. */
  readonly duplicates: Counter<'stage'>
  /** Ledger statements that failed (intake goes on, relying on JetStream's window alone). */
  readonly ledgerErrors: Counter<'operation'>
}

export function createIngestMetrics(): IngestMetrics {
  const registry = new Registry()
  return {
    registry,
    requests: new Counter({
      name: 'ingest_requests_total',
      help: 'Inbound requests by door and outcome',
      labelNames: ['door', 'outcome'],
      registers: [registry],
    }),
    published: new Counter({
      name: 'ingest_published_total',
      help: 'Canonical messages acknowledged by JetStream, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    duplicates: new Counter({
      name: 'ingest_duplicates_total',
      help: 'Redelivered messages dropped, by the stage that recognised them',
      labelNames: ['stage'],
      registers: [registry],
    }),
    ledgerErrors: new Counter({
      name: 'ingest_ledger_errors_total',
      help: 'Failed statements on the received-message ledger',
      labelNames: ['operation'],
      registers: [registry],
    }),
  }
}
