import { Streams } from '@banditore/contracts'
import type { ServiceDefinition } from '@banditore/platform'
import { Client, Connection } from '@temporalio/client'
import { buildApp } from './app.js'
import { hashToken } from './auth/staff-auth.js'
import type { BroadcastDatabase } from './broadcast-database.js'
import { createBroadcastWorkflows } from './broadcast-workflow.client.js'
import { loadConfig, type BroadcastConfig } from './config.js'
import { startEmergencyAcknowledgements } from './emergency/emergency-acknowledgements.js'
import { createEmergencyWorkflows } from './emergency/emergency-workflow.client.js'
import { createBulletinWatcher } from './bulletin/bulletin-watcher.js'
import { createStaffNotices } from './bulletin/staff-notice.client.js'
import { migrations, SCHEMA } from './migrations/index.js'
import { createOutboundChecker } from './outbound-check.client.js'
import { createRecurringSchedules } from './recurring/recurring-schedule.client.js'
import { upsertBootstrapToken } from './repositories/api-token.repository.js'
import { createTemplateRegistry } from './templates/template-registry.js'

/** The staff API as a deployable: broadcasts, emergencies, approvals, API tokens. */
export const broadcastService: ServiceDefinition<BroadcastConfig, BroadcastDatabase> = {
  name: 'broadcast',
  loadConfig,
  schema: { name: SCHEMA, migrations },
  // Officials' replies (acknowledgements) come in on INBOUND.
  streams: [Streams.inbound, Streams.deadLetter],
  tenants: true,
  async start({ config, env, logger, tenants, db, nc }) {
    if (config.BOOTSTRAP_ADMIN_TOKEN) await upsertBootstrapToken(db, hashToken(config.BOOTSTRAP_ADMIN_TOKEN))
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE })
    const emergencies = createEmergencyWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_EMERGENCY })
    // The DPC criticality bulletin: orange and red zones become drafts; the staff on duty are told.
    const bulletins = createBulletinWatcher({
      db,
      tenants,
      logger,
      notices: createStaffNotices({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_EMERGENCY }),
      indexUrl: config.DPC_BULLETIN_INDEX_URL,
      intervalMs: config.DPC_BULLETIN_POLL_SECONDS * 1000,
      timeoutMs: config.DPC_BULLETIN_TIMEOUT_MS,
    })
    // Each tenant's WhatsApp templates as Meta holds them (status, category, quality).
    const templates = createTemplateRegistry({
      db,
      tenants,
      logger,
      env,
      baseUrl: config.WHATSAPP_API_BASE_URL,
      intervalMs: config.WHATSAPP_TEMPLATE_SYNC_SECONDS * 1000,
      timeoutMs: config.WHATSAPP_TEMPLATE_SYNC_TIMEOUT_MS,
    })
    const http = await buildApp(config, {
      logger,
      nc,
      db,
      tenants,
      workflows: createBroadcastWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }),
      emergencies,
      // Occurrences run on the broadcast task queue, which the worker serves.
      schedules: createRecurringSchedules({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }),
      checker: createOutboundChecker({ nc, logger, timeoutMs: config.OUTBOUND_CHECK_TIMEOUT_MS }),
      temporalReady: async () => void (await connection.healthService.check({})),
      bulletins,
      templates,
    })
    // Officials acknowledge alerts by replying: their messages come in through ingest.
    const acknowledgements = await startEmergencyAcknowledgements({ nc, db, tenants, workflows: emergencies, logger })
    bulletins.start()
    templates.start()
    return {
      http,
      stop: [
        { name: 'bulletin drafts', run: () => bulletins.stop() },
        { name: 'WhatsApp template registry', run: () => templates.stop() },
        { name: 'acknowledgements', run: () => acknowledgements.stop() },
        { name: 'temporal', run: () => connection.close() },
      ],
      describe: { taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST },
    }
  },
}
