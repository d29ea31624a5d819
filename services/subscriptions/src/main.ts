import { Streams } from '@banditore/contracts'
import { installShutdown, openServiceResources, runMain } from '@banditore/platform'
import { buildApp } from './app.js'
import { loadConfig } from './config.js'
import { migrations, SCHEMA } from './migrations/index.js'
import type { SubscriptionsDatabase } from './subscriptions-database.js'

// The only file that touches the process: environment, connections, signals.
runMain('subscriptions', async () => {
  const config = loadConfig(process.env)
  const { logger, tenants, pool, nc } = await openServiceResources<SubscriptionsDatabase>({
    service: 'subscriptions',
    config,
    schema: { name: SCHEMA, migrations },
    streams: [Streams.inbound, Streams.moderation, Streams.subscriptions, Streams.outbound, Streams.deadLetter],
  })
  const db = pool.withSchema(SCHEMA)

  const app = await buildApp(config, { logger, nc, db, tenants })
  installShutdown({
    logger,
    steps: [
      // Closing the app stops the staff API, the consumers (in-flight verdicts finish), the
      // audience responder, the relay and the retention job, then flushes the outbox.
      { name: 'service', run: () => app.close() },
      { name: 'nats', run: () => nc.drain() },
      { name: 'postgres', run: () => pool.destroy() },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ port: config.PORT, tenants: tenants.all().length }, 'subscriptions listening')
})
