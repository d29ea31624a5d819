import {
  bundleWorkflows,
  createProviderDispatcher,
  createLeasedRateLimiter,
  createProviderReplySender,
  createWorker,
  senderCapsOf,
  startBroadcastOptOutFeed,
  startBroadcastStatusFeed,
  startReplySender,
  type BroadcastSettings,
} from '@banditore/workflows'
import { createTwilioSmsClient, createWhatsAppCloudClient } from '@banditore/providers'
import type { RunningConsumer } from '@banditore/platform'
import { NativeConnection, type Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker'
import { inject } from 'vitest'
import type { BroadcastStack } from './broadcast-stack.js'
import { SECRETS } from './broadcast-tenant.js'

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined
/** One webpack bundle per test file (a few seconds). */
export const sharedBundle = () => (bundle ??= bundleWorkflows())

export interface RunningWorker {
  worker: Worker
  stop(): Promise<void>
}

/**
 * The worker as the worker process wires it, in this process: the shared rate limiter, the
 * broadcast activities, the status and opt-out feeds, on the stack's task queue.
 */
export async function startInProcessWorker(
  stack: BroadcastStack,
  /** `statusFeed: false`: the worker's status feed never runs, as when statuses stop reaching it. */
  /** `replies: true`: the worker's reply sender too (confirmations, answers to citizens). */
  options: { settings?: Partial<BroadcastSettings>; timeoutMs?: number; statusFeed?: boolean; replies?: boolean } = {},
): Promise<RunningWorker> {
  const rateLimiter = createLeasedRateLimiter({ db: stack.workerDb, capOf: (key) => senderCapsOf(stack.tenants).get(key) ?? 80, logger: stack.logger })
  const transport = createProviderDispatcher()
  await transport.ready()
  const whatsapp = createWhatsAppCloudClient({ baseUrl: stack.sim.url, fetch: transport, timeoutMs: options.timeoutMs ?? 3000 })
  const sms = createTwilioSmsClient({ baseUrl: stack.sim.url, fetch: transport, timeoutMs: options.timeoutMs ?? 3000 })
  const secret = (name: string) => SECRETS[name] ?? ''
  const smsStatusCallbackUrl = `${stack.ingestUrl}/webhooks/sms/status`
  const sender = createProviderReplySender({ tenants: stack.tenants, whatsapp, sms, rateLimiter, secret, smsStatusCallbackUrl })
  const feeds: RunningConsumer[] = [
    ...(options.statusFeed === false ? [] : [await startBroadcastStatusFeed({ nc: stack.nc, db: stack.workerDb, logger: stack.logger, watermarkEveryMs: 250 })]),
    await startBroadcastOptOutFeed({ nc: stack.nc, db: stack.workerDb, logger: stack.logger }),
    ...(options.replies ? [await startReplySender({ nc: stack.nc, db: stack.workerDb, sender, logger: stack.logger })] : []),
  ]
  const connection = await NativeConnection.connect({ address: inject('temporalAddress') })
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: stack.taskQueue,
    bundle: await sharedBundle(),
    logger: stack.logger,
    deps: {
      logger: stack.logger,
      sender,
      broadcast: {
        db: stack.workerDb,
        nc: stack.nc,
        tenants: stack.tenants,
        logger: stack.logger,
        whatsapp,
        sms,
        rateLimiter,
        secret,
        smsStatusCallbackUrl,
        settings: { ambiguityWindowMs: 4000, ...options.settings },
      },
    },
  })
  const running = worker.run()
  return {
    worker,
    async stop() {
      worker.shutdown()
      await running
      await connection.close()
      await Promise.all(feeds.map((f) => f.stop()))
      await transport.close()
    },
  }
}
