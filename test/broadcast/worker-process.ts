import { readFileSync } from 'node:fs'
import { connectNats, createDatabase, createLogger, loadTenantDirectory, runMain } from '@banditore/platform'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import {
  createProviderDispatcher,
  createLeasedRateLimiter,
  createProviderReplySender,
  createWorker,
  senderCapsOf,
  startBroadcastOptOutFeed,
  startBroadcastStatusFeed,
  type WorkerDatabase,
} from '@banditore/workflows'
import { NativeConnection } from '@temporalio/worker'

// A broadcast worker as its own process, for the fault tests (kill -9 and restart): wired as the
// worker's main wires it — shared rate limiter, broadcast activities, status and opt-out feeds —
// from the environment the test gives.
runMain('broadcast-test-worker', async () => {
  const env = (name: string) => {
    const value = process.env[name]
    if (!value) throw new Error(`${name} is not set`)
    return value
  }
  const logger = createLogger({ service: 'worker', level: process.env.LOG_LEVEL ?? 'info' })
  const tenants = await loadTenantDirectory(env('TENANTS_DIR'))
  const db = createDatabase<WorkerDatabase>({ url: env('DATABASE_URL'), applicationName: 'worker-process' })
  const nc = await connectNats({ servers: env('NATS_URL'), name: 'worker-process', logger })
  const caps = senderCapsOf(tenants)
  const rateLimiter = createLeasedRateLimiter({ db, capOf: (key) => caps.get(key) ?? 80, logger })
  const transport = createProviderDispatcher()
  await transport.ready()
  const whatsapp = createWhatsAppCloudClient({ baseUrl: env('SIM_URL'), fetch: transport, timeoutMs: 3000 })
  const sms = createTwilioSmsClient({ baseUrl: env('SIM_URL'), fetch: transport, timeoutMs: 3000 })
  const secret = (name: string) => env(name)
  const smsStatusCallbackUrl = env('SMS_STATUS_CALLBACK_URL')
  await startBroadcastStatusFeed({ nc, db, logger, watermarkEveryMs: 250 })
  await startBroadcastOptOutFeed({ nc, db, logger })
  const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') })
  const bundle = JSON.parse(readFileSync(env('WORKFLOW_BUNDLE'), 'utf8')) as { code: string; sourceMap: string }
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: env('TASK_QUEUE'),
    bundle,
    logger,
    deps: {
      logger,
      sender: createProviderReplySender({ tenants, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl }),
      broadcast: {
        db,
        nc,
        tenants,
        logger,
        whatsapp,
        sms,
        rateLimiter,
        secret,
        smsStatusCallbackUrl,
        settings: JSON.parse(process.env.BROADCAST_SETTINGS ?? '{}') as Record<string, number>,
      },
    },
  })
  void worker.run()
  logger.info({ taskQueue: env('TASK_QUEUE') }, 'broadcast worker running')
})
