import { Streams } from '@banditore/contracts'
import type { ServiceDefinition } from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig, type SubscriptionsConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'
import type { SubscriptionsDatabase } from './subscriptions-database.js'

/** Subscriptions as a deployable: keywords, consent ledger, desk, privacy. */
export const subscriptionsService: ServiceDefinition<SubscriptionsConfig, SubscriptionsDatabase> = {
  name: 'subscriptions',
  loadConfig,
  schema: { name: SCHEMA, migrations },
  streams: [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter],
  tenants: true,
  async start({ config, logger, tenants, db, nc }) {
    // Closing the app stops the staff API, the consumers (in-flight verdicts finish), the
    // audience responder, the relay and the retention job, then flushes the outbox.
    const http = await buildApp(config, { logger, nc, db: db.withSchema(SCHEMA), tenants })
    return { http }
  },
}
