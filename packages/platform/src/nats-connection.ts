import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from './logger.js'

export interface NatsConnectionConfig {
  servers: string | string[]
  /** Shown in the server's connection list (`nats server report connections`). */
  name: string
  logger: Logger
}

/**
 * Connects and keeps reconnecting forever: a service outlives a NATS restart. Connection state
 * changes are logged; readiness reports the connection as it is.
 */
export async function connectNats({ servers, name, logger }: NatsConnectionConfig): Promise<NatsConnection> {
  const nc = await connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: false,
    // Async stack traces on every request and publish cost CPU on the hot path (ingest).
    noAsyncTraces: true,
  })
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'reconnect' || status.type === 'error') {
        logger.warn({ nats: status.type, server: 'server' in status ? status.server : undefined }, 'nats connection')
      }
    }
  })().catch(() => undefined)
  return nc
}

/** Readiness probe: a round trip to the server. */
export async function pingNats(nc: NatsConnection, timeoutMs = 1000): Promise<void> {
  if (nc.isClosed()) throw new Error('connection closed')
  await nc.flush()
  const rtt = nc.rtt()
  await Promise.race([
    rtt,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref()),
  ])
}
