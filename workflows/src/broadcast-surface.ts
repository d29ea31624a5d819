// What the worker's main and the tests need of the broadcast side (re-exported by index.ts).
export { createBroadcastActivities, DEFAULT_BROADCAST_SETTINGS, type BroadcastActivityDeps } from './activities/broadcast.activities.js'
export { BROADCAST_SCHEMA, type BroadcastWorkerDatabase, type LedgerState } from './broadcast-database.js'
export { startBroadcastOptOutFeed } from './broadcast-opt-out-feed.js'
export type { BroadcastSettings } from './broadcast-send-pipeline.js'
export { startBroadcastStatusFeed, type BroadcastStatusFeedOptions } from './broadcast-status-feed.js'
export { createLeasedRateLimiter, senderCapsOf, type LeasedRateLimiter, type LeasedRateLimiterOptions } from './rate-limit-lease-limiter.js'
export { STATUS_FEED } from './send-ledger.repository.js'
export { createKeepAliveFetch, type KeepAliveFetchOptions } from './broadcast-http-transport.js'
