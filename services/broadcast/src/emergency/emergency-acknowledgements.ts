import { Consumers } from '@banditore/contracts'
import { consume, type Logger, type RunningConsumer, type TenantDirectory } from '@banditore/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { Kysely } from 'kysely'
import type { BroadcastDatabase } from '../broadcast-database.js'
import { activeEmergencies } from '../repositories/emergency.repository.js'
import type { EmergencyWorkflows } from './emergency-workflow.client.js'

/**
 * Acknowledgement by reply: a message from an official of the tenant's escalation chain (or the
 * staff on duty) while an alert of the tenant is active takes charge of it. Any text counts: an
 * official answering a notice means they have it.
 */
export async function startEmergencyAcknowledgements(deps: {
  nc: NatsConnection
  db: Kysely<BroadcastDatabase>
  tenants: TenantDirectory
  workflows: EmergencyWorkflows
  logger: Logger
  durable?: string
}): Promise<RunningConsumer> {
  const entry = Consumers.emergencyAcknowledgements
  const log = deps.logger.child({ consumer: deps.durable ?? entry.durable })
  return await consume(
    deps.nc,
    entry,
    async (message) => {
      const settings = deps.tenants.get(message.tenant)?.emergency
      if (!settings) return
      const contact = [...settings.officials, ...settings.onDuty].find((c) => c.phone === message.from)
      if (!contact) return
      for (const alert of await activeEmergencies(deps.db, message.tenant)) {
        // A message older than the alert answers something else.
        if (!alert.triggered_at || Date.parse(message.receivedAt) < alert.triggered_at.getTime()) continue
        const delivered = await deps.workflows.acknowledge(message.tenant, alert.id, { by: contact.name, via: 'reply', at: message.receivedAt })
        log.info({ tenant: message.tenant, emergencyId: alert.id, role: contact.role, delivered }, 'emergency acknowledged by reply')
      }
    },
    deps.logger,
    deps.durable ? { durable: deps.durable } : {},
  )
}
