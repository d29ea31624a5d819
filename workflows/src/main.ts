import { Streams } from '@banditore/contracts'
import {
  connectNats,
  createDatabase,
  createLogger,
  createServiceServer,
  ensureStreams,
  installShutdown,
  loadTenantDirectory,
  pingDatabase,
  pingNats,
  runMain,
} from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import { Client, Connection } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker'
import { createProviderReplySender } from './activities/provider-reply-sender.js'
import type { BroadcastWorkerDatabase } from './broadcast-database.js'
import { startBroadcastOptOutFeed } from './broadcast-opt-out-feed.js'
import { startBroadcastStatusFeed } from './broadcast-status-feed.js'
import { createProviderDispatcher } from './provider-dispatcher.js'
import { createLeasedRateLimiter, senderCapsOf } from './rate-limit-lease-limiter.js'
import { bundleWorkflows } from './worker.js'
import { loadConfig } from './config.js'
import { startReplyDispatch } from './reply-dispatch.js'
import { createWorker } from './worker.js'

// The only file that touches the process: environment, connections, signals.
runMain('worker', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL })
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => logger.warn({ temporal: entry.meta }, entry.message)),
    // Shutdown is driven by installShutdown below, in order, not by the SDK's own signal handlers.
    shutdownSignals: [],
  })

  const secret = (name: string) => {
    const value = process.env[name]
    if (!value) throw new Error(`the environment variable ${name}, named by a tenant file, is not set`)
    return value
  }
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: 'worker', logger })
  await ensureStreams(nc, [Streams.inbound, Streams.subscriptions, Streams.outbound, Streams.deadLetter], {
    replicas: config.NATS_STREAM_REPLICAS,
  })

  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE })
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })

  // One rate limit per sender number at the tenant's tier, shared through PostgreSQL by every
  // worker and every outbound path (replies and broadcasts).
  const db = createDatabase<BroadcastWorkerDatabase>({ url: config.DATABASE_URL, applicationName: 'worker' })
  const caps = senderCapsOf(tenants)
  const rateLimiter = createLeasedRateLimiter({ db, capOf: (key) => caps.get(key) ?? 80, logger })
  // Provider requests leave from a thread of their own, each at its rate-limit slot.
  const transport = createProviderDispatcher()
  await transport.ready()
  const whatsapp = createWhatsAppCloudClient({ baseUrl: config.WHATSAPP_API_BASE_URL, fetch: transport })
  const sms = createTwilioSmsClient({ baseUrl: config.SMS_API_BASE_URL, fetch: transport })
  const sender = createProviderReplySender({
    tenants,
    whatsapp,
    sms,
    rateLimiter,
    secret,
    smsStatusCallbackUrl: config.SMS_STATUS_CALLBACK_URL,
  })
  const statusFeed = await startBroadcastStatusFeed({ nc, db, logger })
  const optOutFeed = await startBroadcastOptOutFeed({ nc, db, logger })
  const deps = {
    sender,
    logger,
    broadcast: { db, nc, tenants, logger, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl: config.SMS_STATUS_CALLBACK_URL, settings: {} },
  }
  const bundle = await bundleWorkflows()
  const broadcastWorker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST,
    deps,
    bundle,
    logger,
  })
  const broadcastRunning = broadcastWorker.run()
  // Emergencies have their own task queue (and the rate limiter's first lane): they never wait
  // behind a broadcast's activities for a slot of this worker.
  const emergencyWorker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE_EMERGENCY,
    deps,
    bundle,
    logger,
  })
  const emergencyRunning = emergencyWorker.run()

  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE_REPLIES,
    deps,
    bundle,
    logger,
  })
  const running = worker.run()
  const dispatch = await startReplyDispatch({ nc, client, taskQueue: config.TEMPORAL_TASK_QUEUE_REPLIES, logger })

  const app = createServiceServer({
    service: 'worker',
    logger,
    readiness: {
      nats: () => pingNats(nc),
      postgres: () => pingDatabase(db),
      temporal: async () => {
        await clientConnection.healthService.check({})
        for (const [queue, w] of [
          ['replies', worker],
          ['broadcast', broadcastWorker],
          ['emergency', emergencyWorker],
        ] as const) {
          if (w.getState() !== 'RUNNING') throw new Error(`the ${queue} worker is ${w.getState()}`)
        }
      },
    },
  })
  installShutdown({
    logger,
    steps: [
      { name: 'http', run: () => app.close() },
      // Stop taking new commands, then let running activities finish.
      { name: 'reply-dispatch', run: () => dispatch.stop() },
      {
        name: 'temporal-worker',
        run: async () => {
          for (const w of [worker, broadcastWorker, emergencyWorker]) if (w.getState() === 'RUNNING') w.shutdown()
          await Promise.all([running, broadcastRunning, emergencyRunning])
        },
      },
      { name: 'provider-dispatch', run: () => transport.close() },
      { name: 'broadcast-feeds', run: async () => await Promise.all([statusFeed.stop(), optOutFeed.stop()]) },
      { name: 'nats', run: () => nc.drain() },
      { name: 'postgres', run: () => db.destroy() },
      { name: 'temporal-connections', run: async () => (await connection.close(), await clientConnection.close()) },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info(
    {
      port: config.PORT,
      taskQueues: [config.TEMPORAL_TASK_QUEUE_REPLIES, config.TEMPORAL_TASK_QUEUE_BROADCAST, config.TEMPORAL_TASK_QUEUE_EMERGENCY],
    },
    'worker running',
  )
})
