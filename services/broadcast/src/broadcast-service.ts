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
import { migrations, SCHEMA } from './migrations/index.js'
import { createOutboundChecker } from './outbound-check.client.js'
import { upsertBootstrapToken } from './repositories/api-token.repository.js'

/** The staff API as a deployable: broadcasts, emergencies, approvals, API tokens. */
export const broadcastService: ServiceDefinition<BroadcastConfig, BroadcastDatabase> = {
  name: 'broadcast',
  loadConfig,
  schema: { name: SCHEMA, migrations },
  // Officials' replies (acknowledgements) come in on INBOUND.
  streams: [Streams.inbound, Streams.deadLetter],
  tenants: true,
  async start({ config, logger, tenants, db, nc }) {
    if (config.BOOTSTRAP_ADMIN_TOKEN) await upsertBootstrapToken(db, hashToken(config.BOOTSTRAP_ADMIN_TOKEN))
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS })
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE })
    const emergencies = createEmergencyWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_EMERGENCY })
    const http = await buildApp(config, {
      logger,
      nc,
      db,
      tenants,
      workflows: createBroadcastWorkflows({ client, taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST }),
      emergencies,
      checker: createOutboundChecker({ nc, logger, timeoutMs: config.OUTBOUND_CHECK_TIMEOUT_MS }),
      temporalReady: async () => void (await connection.healthService.check({})),
    })
    // Officials acknowledge alerts by replying: their messages come in through ingest.
    const acknowledgements = await startEmergencyAcknowledgements({ nc, db, tenants, workflows: emergencies, logger })
    return {
      http,
      stop: [
        { name: 'acknowledgements', run: () => acknowledgements.stop() },
        { name: 'temporal', run: () => connection.close() },
      ],
      describe: { taskQueue: config.TEMPORAL_TASK_QUEUE_BROADCAST },
    }
  },
}
