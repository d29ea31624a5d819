import { Streams } from '@banditore/contracts'
import {
  connectNats,
  createLogger,
  createServiceServer,
  ensureStreams,
  installShutdown,
  loadTenantDirectory,
  pingNats,
  runMain,
} from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient, TokenBucketRateLimiter } from '@banditore/providers'
import { Client, Connection } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker'
import { createProviderReplySender } from './activities/provider-reply-sender.js'
import { loadConfig } from './config.js'
import { startReplyDispatch } from './reply-dispatch.js'
import { createWorker } from './worker.js'

// The only file that touches the process: environment, connections, signals.
runMain('worker', async () => {
  const config = loadConfig(process.env)
  const logger = createLogger({ service: 'worker', level: config.LOG_LEVEL })
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => logger.warn({ temporal: entry.meta }, entry.message)) })

  const secret = (name: string) => {
    const value = process.env[name]
    if (!value) throw new Error(`the environment variable ${name}, named by a tenant file, is not set`)
    return value
  }
  const tenants = await loadTenantDirectory(config.TENANTS_DIR)
  const nc = await connectNats({ servers: config.NATS_URL.split(','), name: 'worker', logger })
  await ensureStreams(nc, [Streams.outbound, Streams.deadLetter], { replicas: config.NATS_STREAM_REPLICAS })

  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE })
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })

  // Per sender number at the tenant's tier.
  const perSender = Object.fromEntries(
    tenants.all().flatMap((t) => [
      ...(t.channels.whatsapp ? [[`whatsapp:${t.channels.whatsapp.phoneNumberId}`, { ratePerSecond: t.channels.whatsapp.messagesPerSecond }]] : []),
      ...(t.channels.sms ? [[`sms:${t.channels.sms.number}`, { ratePerSecond: t.channels.sms.messagesPerSecond }]] : []),
    ]),
  )
  const rateLimiter = new TokenBucketRateLimiter({ ratePerSecond: 80, perSender })
  const sender = createProviderReplySender({
    tenants,
    whatsapp: createWhatsAppCloudClient({ baseUrl: config.WHATSAPP_API_BASE_URL }),
    sms: createTwilioSmsClient({ baseUrl: config.SMS_API_BASE_URL }),
    rateLimiter,
    secret,
    smsStatusCallbackUrl: config.SMS_STATUS_CALLBACK_URL,
  })

  const worker = await createWorker({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE_REPLIES,
    deps: { sender, logger },
    logger,
  })
  const running = worker.run()
  const dispatch = await startReplyDispatch({ nc, client, taskQueue: config.TEMPORAL_TASK_QUEUE_REPLIES, logger })

  const app = createServiceServer({
    service: 'worker',
    logger,
    readiness: {
      nats: () => pingNats(nc),
      temporal: async () => {
        await clientConnection.healthService.check({})
        if (worker.getState() !== 'RUNNING') throw new Error(`worker is ${worker.getState()}`)
      },
    },
  })
  installShutdown({
    logger,
    steps: [
      { name: 'http', run: () => app.close() },
      // Stop taking new commands, then let running activities finish.
      { name: 'reply-dispatch', run: () => dispatch.stop() },
      { name: 'temporal-worker', run: async () => (worker.shutdown(), await running) },
      { name: 'nats', run: () => nc.drain() },
      { name: 'temporal-connections', run: async () => (await connection.close(), await clientConnection.close()) },
    ],
  })
  await app.listen({ port: config.PORT, host: config.HOST })
  logger.info({ port: config.PORT, taskQueue: config.TEMPORAL_TASK_QUEUE_REPLIES }, 'worker running')
})
