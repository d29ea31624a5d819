// @banditore/subscriptions: keyword sign-up and opt-out, consent ledger, topics, auto-replies,
// the office-hours desk, the broadcast audience, GDPR export and erasure.
export { buildApp, buildSubscriptionsService, type SubscriptionsDeps, type SubscriptionsService } from './app.js'
export { loadConfig, SubscriptionsConfigSchema, type SubscriptionsConfig } from './config.js'
export { migrations, SCHEMA } from './migrations/index.js'
export type { ConsentRecord, Subscriber, SubscriptionsDatabase } from './subscriptions-database.js'
export { ServiceErrorHeaders, encodeCursor, decodeCursor } from './audience/audience-responder.js'
export { GATEWAY_OPT_OUT_WORDS } from './tenant/tenant-profile.js'
export { createPhoneHasher, type PhoneHasher } from './privacy/phone-hash.js'
/** A consent receipt's RFC 6962 inclusion proof checked offline, and every proof of an export. */
export { verifyReceiptProof } from './privacy/consent-merkle.js'
export { checkExportProofs, type ExportedReceiptCheck } from './privacy/export-proofs.js'
/** Chains consent records written before the chain existed (the service does it at start). */
export { chainUnchainedRecords } from './repositories/consent-ledger.repository.js'
export { WHOLE_SNAPSHOT_MAX } from './repositories/audience-snapshot.repository.js'
/** The deployable, as its main.ts runs it (the test world starts it the same way). */
export { subscriptionsService } from './subscriptions-service.js'
