export { buildApp, DEFAULT_WEB_DIR, type ConsoleDeps } from './app.js'
export { ConsoleConfigSchema, loadConfig, type ConsoleConfig } from './config.js'
export { migrations, SCHEMA } from './migrations/index.js'
export { createIdentityProviderClient, grantsFromClaim, type IdentityProviderClient } from './session/identity-provider.client.js'
export { deriveSessionKeys, hashSessionId } from './session/session-crypto.js'
export type { ConsoleDatabase, StaffGrant } from './session/session.table.js'
/** The deployable, as its main.ts runs it. */
export { consoleService } from './console-service.js'
