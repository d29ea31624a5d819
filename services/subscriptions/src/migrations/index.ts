import type { Migration } from 'kysely'
import { initialSchema } from './2026-11-23T00-00-00_initial.js'
import { snapshotFirstPage } from './2026-11-23T02-30-00_snapshot-first-page.js'
import { deskConsole } from './2026-12-10T00-00-00_desk-console.js'
import { subscribersConsole } from './2026-12-10T01-00-00_subscribers-console.js'
import { consentChain } from './2026-12-14T00-00-00_consent-chain.js'
import { consentChainRoots } from './2026-12-15T00-00-00_consent-chain-roots.js'
import { consentMerkleRoot } from './2026-12-16T04-00-00_consent-merkle-root.js'
import { safetyPolls } from './2026-12-16T05-00-00_safety-polls.js'
import { subscriberBsuid } from './2026-12-16T06-00-00_subscriber-bsuid.js'
import { consentLedgerDayIndex } from './2026-12-16T05-30-00_consent-ledger-day-index.js'

/** Subscriptions' schema. Names are timestamps; a migration is never edited after it lands. */
export const SCHEMA = 'subscriptions'

export const migrations: Record<string, Migration> = {
  '2026-11-23T00-00-00_initial': initialSchema,
  '2026-11-23T02-30-00_snapshot-first-page': snapshotFirstPage,
  '2026-12-10T00-00-00_desk-console': deskConsole,
  '2026-12-10T01-00-00_subscribers-console': subscribersConsole,
  '2026-12-14T00-00-00_consent-chain': consentChain,
  '2026-12-15T00-00-00_consent-chain-roots': consentChainRoots,
  '2026-12-16T04-00-00_consent-merkle-root': consentMerkleRoot,
  '2026-12-16T05-00-00_safety-polls': safetyPolls,
  '2026-12-16T06-00-00_subscriber-bsuid': subscriberBsuid,
  '2026-12-16T05-30-00_consent-ledger-day-index': consentLedgerDayIndex,
}
