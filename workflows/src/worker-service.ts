import { randomBytes } from 'node:crypto'
import { Streams } from '@banditore/contracts'
import { createServiceServer, pingDatabase, pingNats, type ServiceDefinition } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import { Connection } from '@temporalio/client'
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker'
import { createProviderReplySender } from './activities/provider-reply-sender.js'
import { loadConfig, type WorkerConfig } from './config.js'
import { startBroadcastOptOutFeed } from './feeds/broadcast-opt-out-feed.js'
import { startBroadcastStatusFeed } from './feeds/broadcast-status-feed.js'
import { startSubjectErasureFeed } from './feeds/subject-erasure-feed.js'
import { startReplySender } from './feeds/reply-sender.js'
import { startWorkerProgressResponder } from './feeds/worker-progress.responder.js'
import { migrations } from './migrations/index.js'
import { createLeasedRateLimiter, senderCapsOf } from './rate-limit/rate-limit-lease-limiter.js'
import { createNumberPseudonymizer } from './sending/send-ledger-privacy.repository.js'
import { SendLedgerRetentionJob } from './sending/send-ledger-retention.js'
import { flagEmergencyContacts } from './sending/emergency-contacts.js'
import { createProviderDispatcher } from './transport/provider-dispatcher.js'
import { createWorker, loadWorkflowBundle } from './worker.js'
import { WORKER_SCHEMA, type WorkerDatabase } from './worker-database.js'

/**
 * The Temporal worker as a deployable: replies, broadcasts and emergency alerts. It owns the
 * `worker` schema (send ledger, runs, rate limits, pacing, feeds, emergency runs and timeline),
 * migrated at its own start: it needs no other service to have started first.
 */
export const workerService: ServiceDefinition<WorkerConfig, WorkerDatabase> = {
  name: 'worker',
  loadConfig,
  schema: { name: WORKER_SCHEMA, migrations },
  streams: [Streams.inbound, Streams.subscriptions, Streams.outbound, Streams.deadLetter],
  tenants: true,
  async start({ config, env, logger, tenants, db, nc }) {
    try {
      Runtime.install({
        logger: new DefaultLogger('WARN', (entry) => logger.warn({ temporal: entry.meta }, entry.message)),
        // Shutdown is driven by the service's steps, in order, not by the SDK's own signal handlers.
        shutdownSignals: [],
      })
    } catch {
      // The runtime is per process and installs once: a worker started inside a test process
      // keeps the one the test set-up installed.
    }
    const secret = (name: string) => {
      const value = env[name]
      if (!value) throw new Error(`the environment variable ${name}, named by a tenant file, is not set`)
      return value
    }
    const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
    const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS })

    // One rate limit per sender number at the tenant's tier, shared through PostgreSQL by every
    // worker and every outbound path (replies, broadcasts, emergencies).
    // Officials and staff on duty who cannot receive the notice: skipped at once in an alert,
    // flagged now so the municipality fixes its file before an emergency finds out.
    for (const flag of flagEmergencyContacts(tenants.all())) {
      logger.warn(flag, 'an emergency contact number cannot receive messages; replace it in the tenant file')
    }
    const caps = senderCapsOf(tenants)
    const rateLimiter = createLeasedRateLimiter({ db, capOf: (key) => caps.get(key) ?? 80, logger })
    // Provider requests leave from a thread of their own, each at its rate-limit slot.
    const transport = createProviderDispatcher()
    await transport.ready()
    const whatsapp = createWhatsAppCloudClient({ baseUrl: config.WHATSAPP_API_BASE_URL, fetch: transport })
    const sms = createTwilioSmsClient({ baseUrl: config.SMS_API_BASE_URL, fetch: transport })
    const smsStatusCallbackUrl = config.SMS_STATUS_CALLBACK_URL
    const sender = createProviderReplySender({ tenants, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl })
    const statusFeed = await startBroadcastStatusFeed({ nc, db, logger })
    const optOutFeed = await startBroadcastOptOutFeed({ nc, db, logger })
    const erasureFeed = await startSubjectErasureFeed({ nc, db, logger })
    const pseudonymise = createNumberPseudonymizer(config.SUBSCRIBER_HASH_KEY ?? randomBytes(32).toString('hex'))
    const retention = new SendLedgerRetentionJob(db, pseudonymise, config.SEND_LEDGER_RETENTION_DAYS, logger)
    retention.start(config.SEND_LEDGER_RETENTION_INTERVAL_MINUTES * 60_000)
    const responder = startWorkerProgressResponder({ nc, db, logger, pseudonymise })
    const deps = {
      sender,
      logger,
      broadcast: { db, nc, tenants, logger, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl, settings: {} },
    }

    // One Temporal worker per task queue, all with every workflow and activity. Emergencies have
    // a queue of their own (and the rate limiter's first lane): they never wait behind a
    // broadcast's activities for a slot of this worker.
    const bundle = await loadWorkflowBundle(logger, config.WORKFLOW_BUNDLE_PATH)
    const queues = {
      replies: config.TEMPORAL_TASK_QUEUE_REPLIES,
      broadcast: config.TEMPORAL_TASK_QUEUE_BROADCAST,
      emergency: config.TEMPORAL_TASK_QUEUE_EMERGENCY,
    }
    const workers = await Promise.all(
      Object.entries(queues).map(async ([name, taskQueue]) => {
        const worker = await createWorker({ connection, namespace: config.TEMPORAL_NAMESPACE, taskQueue, deps, bundle, logger })
        return { name, worker, running: worker.run() }
      }),
    )
    // Replies go straight from their stream to the provider (no workflow each); the replies
    // task queue still serves reply workflows started before this worker version.
    const replies = await startReplySender({ nc, db, sender, logger })

    const http = createServiceServer({
      service: 'worker',
      logger,
      readiness: {
        nats: () => pingNats(nc),
        postgres: () => pingDatabase(db),
        temporal: async () => {
          await clientConnection.healthService.check({})
          for (const { name, worker } of workers) {
            if (worker.getState() !== 'RUNNING') throw new Error(`the ${name} worker is ${worker.getState()}`)
          }
        },
      },
    })
    return {
      http,
      stop: [
        // Stop taking new commands, then let running activities finish.
        { name: 'reply-sender', run: () => replies.stop() },
        {
          name: 'temporal-worker',
          run: async () => {
            for (const { worker } of workers) if (worker.getState() === 'RUNNING') worker.shutdown()
            await Promise.all(workers.map((w) => w.running))
          },
        },
        { name: 'provider-dispatch', run: () => transport.close() },
        { name: 'feeds', run: async () => await Promise.all([statusFeed.stop(), optOutFeed.stop(), erasureFeed.stop(), responder.stop(), retention.stop()]) },
        { name: 'temporal-connections', run: async () => (await connection.close(), await clientConnection.close()) },
      ],
      describe: { taskQueues: Object.values(queues) },
    }
  },
}
