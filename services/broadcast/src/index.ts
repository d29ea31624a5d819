// @banditore/broadcast: the staff API (buildApp), its config, and the broadcast schema's
// migrations. The worker's tables are in the worker's own schema (@banditore/workflows).
export { buildApp, type BroadcastDeps } from './app.js'
export { hashToken, generateToken, type StaffPrincipal } from './auth/staff-auth.js'
export type { BroadcastDatabase } from './broadcast-database.js'
export { createBroadcastWorkflows, type BroadcastWorkflows } from './broadcast-workflow.client.js'
export { BroadcastConfigSchema, loadConfig, type BroadcastConfig } from './config.js'
export { migrations, SCHEMA } from './migrations/index.js'
export { createOutboundChecker, draftTexts, type OutboundChecker } from './outbound-check.client.js'
export { BOOTSTRAP_TOKEN_ID, upsertBootstrapToken } from './repositories/api-token.repository.js'
export { parseCapAlert, type CapAlert } from './cap/index.js'
export { startEmergencyAcknowledgements } from './emergency/emergency-acknowledgements.js'
export { createEmergencyWorkflows, type EmergencyWorkflows } from './emergency/emergency-workflow.client.js'
export { createRecurringSchedules, type RecurringSchedules } from './recurring/recurring-schedule.client.js'
/** The deployable, as its main.ts runs it (the test world starts it the same way). */
export { broadcastService } from './broadcast-service.js'
